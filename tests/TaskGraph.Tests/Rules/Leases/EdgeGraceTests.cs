using TaskGraph.Core.Configuration;
using TaskGraph.Core.Leases;
using TaskGraph.Core.Records;

namespace TaskGraph.Tests.Rules.Leases;

/// <summary>The edge grace: a worker behind an edge node carries <c>server.edge_grace_seconds</c> more lease.</summary>
[Trait("Lane", "fast")]
public sealed class EdgeGraceTests
{
    private static readonly ServerSettings Server = new() { StaleTimeoutSeconds = 60, EdgeGraceSeconds = 300 };

    [Fact]
    public void An_edge_workers_renewed_deadline_is_the_lease_plus_the_grace_and_a_hub_workers_is_the_lease()
    {
        var edge = Lease.Renew(new WorkerRecord { Id = "e", Edge = true }, 1_000, Server);
        var hub = Lease.Renew(new WorkerRecord { Id = "h" }, 1_000, Server);

        Assert.Equal(1_000 + (360 * 1000L), edge.HeartbeatDeadline);
        Assert.Equal(1_000 + (60 * 1000L), hub.HeartbeatDeadline);
        Assert.True(Lease.IsAlive(edge, 1_000 + (300 * 1000L)), "an edge worker silent past the lease is alive within the grace");
        Assert.False(Lease.IsAlive(hub, 1_000 + (300 * 1000L)));
        Assert.False(Lease.IsAlive(edge, 1_000 + (360 * 1000L) + 1), "the grace ends too");
    }

    [Fact]
    public void A_zero_grace_gives_edge_workers_the_plain_lease()
    {
        var edge = Lease.Renew(new WorkerRecord { Id = "e", Edge = true }, 0, Server with { EdgeGraceSeconds = 0 });
        Assert.Equal(60 * 1000L, edge.HeartbeatDeadline);
    }
}
