using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using TaskGraph.Tests.Nats;
using TaskGraph.Tests.Node.InProcess;

namespace TaskGraph.Tests.Node.Distributed;

/// <summary>
/// Blobs on an R3 cluster: an attachment too large for a record, and one stored <c>store_as_file</c>, written through
/// node A (connected to one NATS server) are read whole through node B (connected to another), from the graph's
/// replicated object store; a detach through B removes the blob for both.
/// </summary>
[Collection(NatsClusterCollection.Name)]
public sealed class ClusterBlobSharingTests(NatsClusterFixture fixture)
{
    [Fact]
    public async Task A_blob_attached_through_node_A_is_read_through_node_B_and_detached_for_both()
    {
        var ct = EndToEnd.EndToEnd.Timeout(180);
        var graph = "blobs-" + Guid.NewGuid().ToString("N")[..10];
        await using var a = await InProcessNode.StartNatsAsync(fixture.Cluster.Nodes[0].Url, graph, ct);
        await using var b = await InProcessNode.StartNatsAsync(fixture.Cluster.Nodes[1].Url, graph, ct);

        await a.CallAsync("connect", new { worker_id = "blob-writer" }, ct);
        await a.CallAsync("create", new { id = "common-evidence", title = "evidence for everyone" }, ct);
        var large = string.Concat(Enumerable.Range(0, 40_000).Select(i => $"row {i:D6};"));
        var big = await a.CallAsync("attach", new { task = "common-evidence", type = "log", content = large }, ct);
        await a.CallAsync("attach", new { task = "common-evidence", type = "report", content = "# all green", mime = "text/markdown", store_as_file = true }, ct);

        var seen = await EventuallyAsync(b, ct);
        Assert.Equal(large, seen["log"].GetProperty("content").GetString());
        Assert.Equal("# all green", seen["report"].GetProperty("content").GetString());
        Assert.EndsWith(".md", seen["report"].GetProperty("blob").GetString(), StringComparison.Ordinal);

        // The object store is replicated like the graph's bucket.
        await using (var nats = new NatsConnection(new NatsOpts { Url = fixture.Cluster.Nodes[2].Url }))
        {
            var stream = await new NatsJSContext(nats).GetStreamAsync($"OBJ_tg_{graph}_blobs", cancellationToken: ct);
            Assert.Equal(3, stream.Info.Config.NumReplicas);
        }

        await b.CallAsync("connect", new { worker_id = "blob-cleaner" }, ct);
        await b.CallAsync("detach", new { agent = "blob-cleaner", task = "common-evidence", type = "log" }, ct);
        var blobs = (TaskGraph.Core.Storage.IBlobStore)a.Graph.Store;
        Assert.Null(await blobs.GetAsync(big.GetProperty("blob").GetString()!, ct));
    }

    private static async Task<Dictionary<string, JsonElement>> EventuallyAsync(InProcessNode node, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (isError, body) = await node.CallRawAsync("attachments", new { task = "common-evidence", content = true }, cancellationToken);
            if (!isError && body.GetProperty("attachments").GetArrayLength() == 2)
            {
                return body.GetProperty("attachments").EnumerateArray().ToDictionary(x => x.GetProperty("type").GetString()!);
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
