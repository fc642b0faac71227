using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.NKeys;

namespace TaskGraph.Bus.Connection;

/// <summary>Builds NATS client options and connections from <see cref="NatsStoreOptions"/>.</summary>
public static partial class NatsConnectionFactory
{
    /// <summary>Client options: retry on the first connect, reconnect forever, the configured timeout and credentials.</summary>
    public static NatsOpts CreateOpts(NatsStoreOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Url))
        {
            throw new ArgumentException("At least one NATS URL is required.", nameof(options));
        }

        return NatsOpts.Default with
        {
            Url = options.Url,
            Name = options.Name,
            LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance,
            RequestTimeout = options.RequestTimeout,
            RetryOnInitialConnect = true,
            MaxReconnectRetry = -1,
            AuthOpts = CreateAuthOpts(options),
            TlsOpts = CreateTlsOpts(options),
        };
    }

    /// <summary>Creates a connection (not yet connected) that logs disconnects and reconnects.</summary>
    public static NatsConnection Create(NatsStoreOptions options, ILoggerFactory? loggerFactory = null)
    {
        var connection = new NatsConnection(CreateOpts(options, loggerFactory));
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(typeof(NatsConnectionFactory).FullName!);
        var name = options.Name;
        connection.ConnectionOpened += (_, args) =>
        {
            LogConnected(logger, name, args.Message);
            return ValueTask.CompletedTask;
        };
        connection.ConnectionDisconnected += (_, args) =>
        {
            LogDisconnected(logger, name, args.Message);
            return ValueTask.CompletedTask;
        };
        connection.ReconnectFailed += (_, args) =>
        {
            LogReconnectFailed(logger, name, args.Message);
            return ValueTask.CompletedTask;
        };
        return connection;
    }

    /// <summary>
    /// Checks, before a node serves, that the servers answer and that JetStream is usable for this account: retries an
    /// unreachable server until <paramref name="timeout"/>, and fails at once on what no retry can mend (credentials
    /// refused, no JetStream, permission denied on <c>$JS.API</c>). Throws <see cref="NatsStartupException"/>, whose
    /// message is one line naming the redacted URL.
    /// </summary>
    public static async Task CheckJetStreamAsync(NatsStoreOptions options, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var url = NatsUrls.Redact(options.Url);
        var started = Stopwatch.GetTimestamp();
        TimeSpan Remaining() => timeout - Stopwatch.GetElapsedTime(started);
        var opts = CreateOpts(options) with
        {
            RetryOnInitialConnect = false,
            MaxReconnectRetry = 0,
            ConnectTimeout = TimeSpan.FromSeconds(Math.Clamp(timeout.TotalSeconds, 0.1, 2)),
        };
        string? lastProblem = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Remaining() <= TimeSpan.Zero)
            {
                throw new NatsStartupException(
                    $"cannot reach NATS at {url} within {Seconds(timeout)} s: {lastProblem ?? "no answer"} (server.nats.connect_timeout_seconds sets the wait)");
            }

            var serverErrors = new ConcurrentQueue<string>();
            var connection = new NatsConnection(opts);
            await using (connection.ConfigureAwait(false))
            {
                connection.ServerError += (_, args) =>
                {
                    serverErrors.Enqueue(args.Error);
                    return ValueTask.CompletedTask;
                };
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(Remaining());
                try
                {
                    await connection.ConnectAsync().AsTask().WaitAsync(attempt.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    var detail = Describe(ex, serverErrors);
                    if (IsCredentialsProblem(detail))
                    {
                        throw new NatsStartupException($"NATS at {url} refused the node's credentials: {detail}", ex);
                    }

                    lastProblem = detail;
                    await DelayAsync(Remaining(), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var js = new NatsJSContext(connection, new NatsJSOpts(connection.Opts, requestTimeout: Min(options.RequestTimeout, Remaining())));
                try
                {
                    await js.GetAccountInfoAsync(attempt.Token).ConfigureAwait(false);
                    return;
                }
                catch (NatsNoRespondersException ex)
                {
                    throw new NatsStartupException(
                        $"NATS at {url} has no JetStream (no responders on $JS.API): start nats-server with -js, or check the account and JetStream domain", ex);
                }
                catch (NatsJSApiException ex)
                {
                    throw new NatsStartupException($"NATS at {url} refused JetStream: {ex.Error.Description} (error {ex.Error.ErrCode})", ex);
                }
                catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    // A denied publish is answered by nothing but a -ERR on the connection: name it rather than "timeout".
                    if (serverErrors.FirstOrDefault(e => e.Contains("Permissions Violation", StringComparison.OrdinalIgnoreCase)) is { } denied)
                    {
                        throw new NatsStartupException($"NATS at {url} denied the node's JetStream API requests: {OneLine(denied)}", ex);
                    }

                    // No answer yet (JetStream may still be electing a leader): retry within the timeout.
                    lastProblem = $"JetStream did not answer ({Describe(ex, serverErrors)})";
                    await DelayAsync(Remaining(), cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task DelayAsync(TimeSpan remaining, CancellationToken cancellationToken)
    {
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(Min(TimeSpan.FromMilliseconds(500), remaining), cancellationToken).ConfigureAwait(false);
        }
    }

    // The smaller of two spans, never below a millisecond (a zero or negative timeout would mean "no timeout" to some APIs).
    private static TimeSpan Min(TimeSpan a, TimeSpan b) => TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, Math.Min(a.Ticks, b.Ticks)));

    private static string Seconds(TimeSpan timeout) => timeout.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsCredentialsProblem(string detail) =>
        detail.Contains("Authorization Violation", StringComparison.OrdinalIgnoreCase)
        || detail.Contains("Authentication", StringComparison.OrdinalIgnoreCase)
        || detail.Contains("User Authentication Expired", StringComparison.OrdinalIgnoreCase);

    private static string Describe(Exception ex, ConcurrentQueue<string> serverErrors)
    {
        if (serverErrors.TryPeek(out var serverError))
        {
            return OneLine(serverError);
        }

        // The innermost message says most ("Connection refused"); NATS.Net wraps it in "can not connect uris: ...".
        var inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return ex is OperationCanceledException or TimeoutException ? "no answer" : OneLine(inner.Message);
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim().Trim('\'');

    private static NatsAuthOpts CreateAuthOpts(NatsStoreOptions options)
    {
        var auth = NatsAuthOpts.Default with
        {
            Token = options.Token,
            Username = options.User,
            Password = options.Password,
            CredsFile = options.CredsFile,
        };
        if (!string.IsNullOrEmpty(options.NKeySeed))
        {
            // The server wants the public key in CONNECT; the client only signs the nonce with the seed.
            using var pair = KeyPair.FromSeed(options.NKeySeed.AsSpan());
            auth = auth with { Seed = options.NKeySeed, NKey = pair.GetPublicKey() };
        }

        return auth;
    }

    private static NatsTlsOpts CreateTlsOpts(NatsStoreOptions options)
    {
        var anyFile = options.TlsCaFile is not null || options.TlsCertFile is not null || options.TlsKeyFile is not null;
        return NatsTlsOpts.Default with
        {
            CaFile = options.TlsCaFile,
            CertFile = options.TlsCertFile,
            KeyFile = options.TlsKeyFile,
            Mode = anyFile ? TlsMode.Require : TlsMode.Auto,
        };
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "NATS connection {Name} opened: {Detail}")]
    private static partial void LogConnected(ILogger logger, string name, string detail);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "NATS connection {Name} lost, reconnecting: {Detail}")]
    private static partial void LogDisconnected(ILogger logger, string name, string detail);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "NATS connection {Name} reconnect attempt failed: {Detail}")]
    private static partial void LogReconnectFailed(ILogger logger, string name, string detail);
}
