namespace TaskGraph.Bus.Connection;

/// <summary>How a node reaches NATS and which graph's bucket and change log it opens.</summary>
public sealed record NatsStoreOptions
{
    /// <summary>Server URL, or several comma-separated URLs of one cluster (e.g. <c>nats://a:4222,nats://b:4222</c>).</summary>
    public required string Url { get; init; }

    /// <summary>Graph name: letters, digits, '-' and '_'; the bucket is <c>tg_&lt;graph&gt;</c> (stream <c>KV_tg_&lt;graph&gt;</c>).</summary>
    public required string Graph { get; init; }

    /// <summary>
    /// Replicas of the bucket and its side buckets: null = automatic (3 when the deployment has at least three servers,
    /// else 1). An explicit count above the deployment's server count is refused when the store opens.
    /// </summary>
    public int? Replicas { get; init; }

    /// <summary>How long one request (read, write, API call) may take before it counts as unavailable.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long opening keeps retrying while the servers are unreachable or JetStream has no leader yet.</summary>
    public TimeSpan OpenTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Guard every compare-and-swap with a create-once fence key: null = automatic (on for replicated buckets on servers
    /// before 2.10, whose clustered streams accept two concurrent writes that expect the same revision).
    /// </summary>
    public bool? CasFence { get; init; }

    /// <summary>How long a CAS fence lives; a writer that dies between fence and write blocks that key this long.</summary>
    public TimeSpan CasFenceTtl { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The JetStream domain that holds the graph (<c>server.nats.domain</c>), or null for a server without one. On a leaf
    /// node in another domain the node is an edge node: it reads and watches the graph in this domain and sends every
    /// write there through domain-prefixed API subjects, so claims and locks are only ever decided where the graph lives.
    /// </summary>
    public string? Domain { get; init; }

    /// <summary>How often an edge node checks that the hub's domain answers (and learns the hub's newest position).</summary>
    public TimeSpan HubProbeInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Authentication token.</summary>
    public string? Token { get; init; }

    /// <summary>User name for user/password authentication.</summary>
    public string? User { get; init; }

    /// <summary>Password for user/password authentication.</summary>
    public string? Password { get; init; }

    /// <summary>NKey seed (<c>SU...</c>) for nkey authentication.</summary>
    public string? NKeySeed { get; init; }

    /// <summary>Path of a <c>.creds</c> file (JWT + seed).</summary>
    public string? CredsFile { get; init; }

    /// <summary>PEM file of the CA that signed the server certificates; setting any TLS file requires TLS.</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>PEM client certificate for mutual TLS.</summary>
    public string? TlsCertFile { get; init; }

    /// <summary>PEM private key of the client certificate.</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary>Connection name shown by the server (<c>connz</c>).</summary>
    public string Name { get; init; } = "taskgraph";

    /// <summary>Prints the options without their secrets, so a logged or printed options object leaks nothing.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Url = ").Append(Url).Append(", Graph = ").Append(Graph).Append(", Domain = ").Append(Domain ?? "none").Append(", Replicas = ").Append(Replicas?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "auto")
            .Append(", Auth = ").Append(Token is not null ? "token" : User is not null ? "user" : NKeySeed is not null ? "nkey" : CredsFile is not null ? "creds" : "none")
            .Append(", Tls = ").Append(TlsCaFile is not null || TlsCertFile is not null);
        return true;
    }
}
