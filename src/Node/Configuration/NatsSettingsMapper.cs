using TaskGraph.Bus.Connection;

namespace TaskGraph.Node.Configuration;

/// <summary>Maps <c>server.nats</c> onto the NATS store's <see cref="NatsStoreOptions"/>, resolving secret references.</summary>
public static class NatsSettingsMapper
{
    /// <summary>The settings when the nats store is selected, else null (after checking the plain ones); problems and warnings name their keys.</summary>
    public static NatsStoreOptions? Map(
        Dictionary<string, object?> tree, string? url, string graph, IReadOnlyDictionary<string, string> environment, ConfigReader reader, List<string> warnings)
    {
        // The plain settings are checked even when the store is SQLite: a wrong type is a mistake either way.
        var server = reader.Map(tree, "server", "server");
        var nats = reader.Map(server, "nats", "server.nats");
        var tls = reader.Map(nats, "tls", "server.nats.tls");
        string? Secret(string key)
        {
            var raw = reader.Text(nats, key, $"server.nats.{key}");
            if (raw is not null && !SecretReference.IsReference(raw))
            {
                warnings.Add($"server.nats.{key} holds a plain-text secret; reference it as ${{env:NAME}} or ${{file:PATH}} instead");
            }

            return SecretReference.Resolve(raw, $"server.nats.{key}", environment, reader);
        }

        // Absent (or ~) = automatic: R3 on a deployment of three or more servers, else R1 (decided when the store opens).
        var replicas = reader.WholeNumber(nats, "replicas", "server.nats.replicas");
        if (replicas is not (null or 1 or 3 or 5))
        {
            reader.Problem("server.nats.replicas", $"must be 1, 3 or 5, got {replicas}");
        }

        var timeout = reader.WholeNumber(nats, "request_timeout_ms", "server.nats.request_timeout_ms") ?? 2000;
        if (timeout < 100)
        {
            reader.Problem("server.nats.request_timeout_ms", $"must be at least 100, got {timeout}");
        }

        var connectTimeout = reader.WholeNumber(nats, "connect_timeout_seconds", "server.nats.connect_timeout_seconds") ?? 10;
        if (connectTimeout < 1)
        {
            reader.Problem("server.nats.connect_timeout_seconds", $"must be at least 1, got {connectTimeout}");
        }

        var domain = reader.Text(nats, "domain", "server.nats.domain");
        if (domain is not null && !NatsDomains.IsDomainName(domain))
        {
            reader.Problem("server.nats.domain", $"must be a JetStream domain name (letters, digits, '-' and '_'), got '{domain}'");
        }

        if (url is null)
        {
            return null;
        }

        return new NatsStoreOptions
        {
            Url = url,
            Graph = graph,
            Replicas = replicas,
            Domain = domain,
            RequestTimeout = TimeSpan.FromMilliseconds(timeout),
            OpenTimeout = TimeSpan.FromSeconds(Math.Max(1, connectTimeout)),
            Token = Secret("token"),
            User = reader.Text(nats, "user", "server.nats.user"),
            Password = Secret("password"),
            NKeySeed = Secret("nkey_seed"),
            CredsFile = reader.Text(nats, "creds_file", "server.nats.creds_file"),
            TlsCaFile = reader.Text(tls, "ca", "server.nats.tls.ca"),
            TlsCertFile = reader.Text(tls, "cert", "server.nats.tls.cert"),
            TlsKeyFile = reader.Text(tls, "key", "server.nats.tls.key"),
            Name = $"taskgraph-{Environment.MachineName}-{Environment.ProcessId}",
        };
    }
}
