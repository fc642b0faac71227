using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
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
