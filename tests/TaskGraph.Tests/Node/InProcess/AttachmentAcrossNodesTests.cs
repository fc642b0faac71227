using TaskGraph.Core.Storage.Sqlite;
using TaskGraph.Tests.Nats;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// An attachment stored through one node is read through another, with its content: two nodes on one NATS graph, and
/// two nodes on one SQLite file; a gate satisfied by an attachment made on node A lets node B's worker complete.
/// </summary>
[Collection(NatsServerCollection.Name)]
public sealed class AttachmentAcrossNodesTests(NatsServerFixture nats)
{
    [Fact]
    public async Task An_attachment_made_through_node_a_is_read_through_node_b_on_nats()
    {
        var ct = Timeout();
        var graph = "attach-across-" + Guid.NewGuid().ToString("N")[..10];
        await using var a = await InProcessNode.StartNatsAsync(nats.Server.Url, graph, ct);
        await using var b = await InProcessNode.StartNatsAsync(nats.Server.Url, graph, ct);
        await AcrossAsync(a, b, ct);
    }

    [Fact]
    public async Task An_attachment_made_through_node_a_is_read_through_node_b_on_one_sqlite_file()
    {
        var ct = Timeout();
        var dir = TestPaths.TempDir("attach-across");
        try
        {
            var path = Path.Combine(dir, "tasks.db");
            await using var a = await InProcessNode.StartAsync(await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = path }, TimeProvider.System, ct), null, ct);
            await using var b = await InProcessNode.StartAsync(await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = path }, TimeProvider.System, ct), null, ct);
            await AcrossAsync(a, b, ct);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task AcrossAsync(InProcessNode a, InProcessNode b, CancellationToken ct)
    {
        await a.CallAsync("create", new { id = "across", title = "shared evidence" }, ct);
        var text = "line one\nline two, with ünïcödé and \"quotes\"";
        await a.CallAsync("attach", new { task = "across", type = "result", content = text, name = "run-1" }, ct);

        var seen = (await b.CallAsync("attachments", new { task = "across", content = true }, ct)).GetProperty("attachments").EnumerateArray().ToList();
        var only = Assert.Single(seen);
        Assert.Equal(("result", "run-1", text), (String(only, "type"), String(only, "name"), String(only, "content")));
        Assert.Equal(1, (await b.CallAsync("get", new { task = "across" }, ct)).GetProperty("attachment_counts").GetProperty("application/json").GetInt32());

        // Detached through B, gone through A.
        Assert.Equal(1, (await b.CallAsync("detach", new { agent = "bob", task = "across", type = "result" }, ct)).GetProperty("deleted_count").GetInt32());
        Assert.Equal(0, (await a.CallAsync("attachments", new { task = "across" }, ct)).GetProperty("attachments").GetArrayLength());
    }
}
