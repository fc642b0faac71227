using TaskGraph.Core.Configuration;
using TaskGraph.Tests.Nats;

namespace TaskGraph.Tests.Rules;

/// <summary>
/// Where the nodes of a rules test keep their data: one SQLite file, one graph on a single nats-server, or one R3 graph on
/// a 3-node cluster (node <c>i</c> talks to server <c>i mod 3</c>). The race and invariant suites are written once against
/// this and run on each.
/// </summary>
public sealed class RulesBackend
{
    private readonly Func<TaskGraphConfig?, TimeProvider?, CancellationToken, Task<RulesHarness>> _create;

    private RulesBackend(string name, Func<TaskGraphConfig?, TimeProvider?, CancellationToken, Task<RulesHarness>> create)
    {
        Name = name;
        _create = create;
    }

    /// <summary>Several store instances on one SQLite file.</summary>
    public static RulesBackend Sqlite { get; } = new("sqlite", (config, time, ct) => RulesHarness.CreateAsync(config, time, ct));

    /// <summary>The backend's name.</summary>
    public string Name { get; }

    /// <summary>Separate connections to one graph (R1) on a single server.</summary>
    public static RulesBackend Nats(NatsServerProcess server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new("nats", (config, time, ct) => RulesHarness.CreateOnNatsAsync(_ => server.Url, 1, config, time, null, ct));
    }

    /// <summary>
    /// Separate connections to one R3 graph, node <c>i</c> connected to server <c>i mod 3</c> (given alone, because the
    /// client shuffles a URL list; it still learns the other servers from the cluster for reconnects).
    /// </summary>
    public static RulesBackend NatsCluster(NatsCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return new("nats-r3", (config, time, ct) => RulesHarness.CreateOnNatsAsync(
            node => cluster.Nodes[node % cluster.Nodes.Count].Url, 3, config, time, null, ct));
    }

    /// <summary>A fresh graph (or file) with its first node, on a fake clock unless <paramref name="time"/> is given.</summary>
    public Task<RulesHarness> CreateAsync(TaskGraphConfig? config = null, TimeProvider? time = null, CancellationToken cancellationToken = default) =>
        _create(config, time, cancellationToken);

    /// <inheritdoc />
    public override string ToString() => Name;
}
