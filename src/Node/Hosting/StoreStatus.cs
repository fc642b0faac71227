using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.Storage;

namespace TaskGraph.Node.Hosting;

/// <summary>
/// What a node tells agents about its store in <c>connect</c>'s answer: the kind and, on NATS, the replicas the graph's
/// bucket has and was asked to have, with a warning when it has fewer (the server would not scale an existing bucket)
/// or when the servers are a version whose replicas can diverge after a crash.
/// </summary>
public sealed record StoreStatus(string Kind, int? Replicas = null, int? RequestedReplicas = null, bool ReplicasMayDiverge = false)
{
    /// <summary>The status of an opened store.</summary>
    public static StoreStatus Of(IRecordStore store) =>
        store is NatsRecordStore nats
            ? new StoreStatus("nats", nats.Replicas, nats.RequestedReplicas, nats.ReplicasMayDiverge)
            : new StoreStatus("sqlite");

    /// <summary>Set when the bucket holds fewer replicas than asked, or its servers are older than 2.10.</summary>
    public string? Warning => Replicas < RequestedReplicas
        ? $"the graph's bucket has {Replicas} replica(s) of the {RequestedReplicas} asked (the NATS servers did not scale it): losing a NATS server can lose the graph"
        : ReplicasMayDiverge
            ? "the NATS servers are older than 2.10: after a server is killed and restarted its replica can disagree with the others for good (nats-server#5362); run nats-server 2.10 or newer for a cluster"
            : null;
}
