using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace TaskGraph.Bus.Connection;

/// <summary>
/// An edge node's view of its uplink: whether the hub's JetStream domain answers through the local leaf node, and
/// since when it has not. A probe (one stream-info request for the graph's stream, which also tells the hub's newest
/// position) runs every <see cref="NatsStoreOptions.HubProbeInterval"/>; any request that finds no responders or times out
/// marks the link down at once. While it is down, the store refuses writes before sending anything.
/// </summary>
/// <remarks>
/// The client's own connection (to the leaf) stays open when the leaf loses the hub, so NATS.Net sees no disconnect:
/// requests into the hub's domain fail with "no responders" within a millisecond, but a JetStream publish waits 250 ms
/// before it reports that, and an ordered consumer across the domain never resumes after the link returns (measured on
/// 2.9.10 and NATS.Net 3.3.2). Hence this monitor, and <see cref="Epoch"/>, which the store's watch ends with.
/// </remarks>
public sealed partial class NatsHubLink : IAsyncDisposable
{
    private readonly NatsJSContext _hub;
    private readonly string _stream;
    private readonly string _domain;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private CancellationTokenSource _epoch = new();
    private DateTimeOffset _lastContact;
    private bool _up = true;
    private ulong _hubPosition;
    private Task? _loop;

    /// <summary>A link for <paramref name="stream"/> in the hub's domain, reached through <paramref name="hub"/> (a JetStream context for that domain).</summary>
    public NatsHubLink(NatsJSContext hub, string domain, string stream, TimeSpan interval, TimeSpan timeout, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        _hub = hub;
        _domain = domain;
        _stream = stream;
        _interval = interval;
        _timeout = timeout;
        _time = time;
        _logger = logger;
        _lastContact = time.GetUtcNow();
    }

    /// <summary>The hub's JetStream domain.</summary>
    public string Domain => _domain;

    /// <summary>True while the hub answered the last request or probe.</summary>
    public bool IsUp
    {
        get
        {
            lock (_gate)
            {
                return _up;
            }
        }
    }

    /// <summary>Null while up; else the last moment the hub answered.</summary>
    public DateTimeOffset? StaleSince
    {
        get
        {
            lock (_gate)
            {
                return _up ? null : _lastContact;
            }
        }
    }

    /// <summary>The hub stream's last sequence as of the last probe (0 before the first).</summary>
    public ulong HubPosition
    {
        get
        {
            lock (_gate)
            {
                return _hubPosition;
            }
        }
    }

    /// <summary>Cancelled when the link goes down: a watch across the domain ends with it and is started afresh.</summary>
    public CancellationToken Epoch
    {
        get
        {
            lock (_gate)
            {
                return _epoch.Token;
            }
        }
    }

    /// <summary>Starts probing.</summary>
    public void Start() => _loop ??= Task.Run(() => ProbeLoopAsync(_stop.Token));

    /// <summary>Records an answer from the hub.</summary>
    public void Reached()
    {
        CancellationTokenSource? replaced = null;
        lock (_gate)
        {
            _lastContact = _time.GetUtcNow();
            if (!_up)
            {
                _up = true;
                replaced = _epoch;
                _epoch = new CancellationTokenSource();
            }
        }

        if (replaced is not null)
        {
            replaced.Dispose();
            LogUp(_logger, _domain);
        }
    }

    /// <summary>Records a request that found no hub (no responders, a timeout): the link is down from now on.</summary>
    public void Lost(string reason)
    {
        CancellationTokenSource? ended = null;
        lock (_gate)
        {
            if (_up)
            {
                _up = false;
                ended = _epoch;
            }
        }

        if (ended is not null)
        {
            LogDown(_logger, _domain, reason);
            ended.Cancel();
        }
    }

    /// <summary>True for the failures that mean "the hub is not there" rather than "the request was wrong".</summary>
    public static bool IsUnreachable(Exception ex) => ex is NatsNoRespondersException or NatsJSPublishNoResponseException or TimeoutException or NatsTimeoutException
        || ex.InnerException is { } inner && IsUnreachable(inner);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
#pragma warning disable VSTHRD003 // the probe loop is this link's own task
                await _loop.ConfigureAwait(false);
#pragma warning restore VSTHRD003
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        _stop.Dispose();
        lock (_gate)
        {
            _epoch.Dispose();
        }
    }

    private async Task ProbeLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            attempt.CancelAfter(_timeout);
            try
            {
                var stream = await _hub.GetStreamAsync(_stream, cancellationToken: attempt.Token).ConfigureAwait(false);
                lock (_gate)
                {
                    _hubPosition = stream.Info.State.LastSeq;
                }

                Reached();
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is OperationCanceledException || IsUnreachable(ex) || ex is NatsException)
            {
                Lost(ex is OperationCanceledException ? "no answer within " + _timeout.TotalMilliseconds + " ms" : ex.Message);
            }

            await Task.Delay(_interval, _time, stopping).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 2022, Level = LogLevel.Warning, Message = "JetStream domain {Domain} (the hub) is unreachable: {Reason}; reads answer from the read model, writes are refused")]
    private static partial void LogDown(ILogger logger, string domain, string reason);

    [LoggerMessage(EventId = 2023, Level = LogLevel.Information, Message = "JetStream domain {Domain} (the hub) answers again; catching up from its log")]
    private static partial void LogUp(ILogger logger, string domain);
}
