using Microsoft.IdentityModel.Tokens;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Auth;

/// <summary>
/// The signing keys JWTs are checked with: those of <c>jwks_file</c> (read once, at config load), or those last fetched
/// from <c>jwks_url</c>. A fetch that fails keeps the keys fetched before; with none yet, JWTs are refused until a fetch
/// works. A token naming an unknown <c>kid</c> may trigger a fetch, at most once per <see cref="UnknownKeyInterval"/>, so
/// a key the provider just rotated in is accepted without waiting for the periodic refresh.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim needs disposing only once its AvailableWaitHandle is used, which this type never does; late callers may still wait on it after disposal.")]
public sealed partial class JwtKeySource
{
    /// <summary>How often the periodic refresh fetches the key set.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(10);

    /// <summary>How often the periodic refresh retries while no key was ever fetched.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);

    /// <summary>The least time between two fetches triggered by tokens naming an unknown key.</summary>
    public static readonly TimeSpan UnknownKeyInterval = TimeSpan.FromSeconds(30);

    // One client for the process: a fetch is rare, and the 5 s timeout bounds what a request waits on an unknown kid.
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(5),
        MaxResponseContentBufferSize = JwksDocument.MaxLength,
    };

    private readonly SemaphoreSlim _fetching = new(1, 1);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private IReadOnlyList<SecurityKey> _keys;
    private long _fetches;
    private DateTimeOffset _lastUnknownKeyFetch = DateTimeOffset.MinValue;

    /// <summary>The key source of <paramref name="settings"/>.</summary>
    public JwtKeySource(JwtSettings settings, TimeProvider time, ILogger<JwtKeySource> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Url = settings.JwksUrl;
        _keys = settings.FileKeys;
        _time = time;
        _logger = logger;
    }

    /// <summary>Where the keys are fetched from; null when they came from a file.</summary>
    public Uri? Url { get; }

    /// <summary>The current signing keys.</summary>
    public IReadOnlyList<SecurityKey> Keys => Volatile.Read(ref _keys);

    /// <summary>Why the last fetch failed (null after a success, or with a file).</summary>
    public string? LastProblem { get; private set; }

    /// <summary>Fetches the key set from <see cref="Url"/> and swaps it in; false (and a warning) when it failed.</summary>
    public async Task<bool> FetchAsync(CancellationToken cancellationToken)
    {
        if (Url is null)
        {
            return true;
        }

        var before = Interlocked.Read(ref _fetches);
        await _fetching.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Someone else fetched while this caller waited: that answer is as fresh as a second fetch would be.
            if (Interlocked.Read(ref _fetches) != before)
            {
                return LastProblem is null;
            }

            string? problem;
            IReadOnlyList<SecurityKey> keys = [];
            try
            {
                using var response = await Http.GetAsync(Url, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    problem = $"HTTP {(int)response.StatusCode}";
                }
                else
                {
                    keys = JwksDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false), out problem);
                }
            }
            catch (HttpRequestException ex)
            {
                problem = ex.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                problem = $"no answer within {Http.Timeout.TotalSeconds:0} s";
            }

            Interlocked.Increment(ref _fetches);
            LastProblem = problem;
            if (problem is null)
            {
                Volatile.Write(ref _keys, keys);
                KeysLoaded(_logger, keys.Count, Url);
                return true;
            }

            FetchFailed(_logger, Url, problem, Keys.Count);
            return false;
        }
        finally
        {
            _fetching.Release();
        }
    }

    /// <summary>
    /// A token names a key that is not in the set: fetches again unless a fetch for that reason ran less than
    /// <see cref="UnknownKeyInterval"/> ago. True when a fetch ran and worked.
    /// </summary>
    public async ValueTask<bool> RefreshForUnknownKeyAsync(CancellationToken cancellationToken)
    {
        if (Url is null)
        {
            return false;
        }

        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (now - _lastUnknownKeyFetch < UnknownKeyInterval)
            {
                return false;
            }

            _lastUnknownKeyFetch = now;
        }

        return await FetchAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 3060, Level = LogLevel.Information, Message = "JWT: {Count} signing key(s) fetched from {Url}")]
    private static partial void KeysLoaded(ILogger logger, int count, Uri url);

    [LoggerMessage(EventId = 3061, Level = LogLevel.Warning,
        Message = "JWT: cannot fetch the key set from {Url}: {Problem}; keeping {Count} key(s) fetched before (with none, JWTs are refused until a fetch works)")]
    private static partial void FetchFailed(ILogger logger, Uri url, string problem, int count);
}
