using System.Runtime.CompilerServices;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Storage.Sqlite;
using TaskGraph.Tests.Node.InProcess;

namespace TaskGraph.Tests.Node.Mcp;

/// <summary>The read barrier filter: which tools it guards, and that its failures become envelopes.</summary>
public sealed class FreshReadFilterTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    [Fact]
    public async Task A_store_that_cannot_tell_its_position_makes_a_read_a_store_unavailable_envelope_and_leaves_writes_alone()
    {
        await using var node = await GraphNode.StartAsync("fresh", Timeout);
        node.Store.FailPosition = true;
        var read = await node.CallAsync("list_tasks", new { }, Timeout);
        Assert.True(read.IsError, "a read behind a failing barrier must be an error");
        Assert.Equal("STORE_UNAVAILABLE", Body(read).GetProperty("code").GetString());

        // Writes are not behind the barrier: they read the store itself.
        var write = await node.CallAsync("create", new { id = "behind-barrier", title = "Written while the position fails" }, Timeout);
        Assert.True(write.IsError is not true, ((TextContentBlock)write.Content[0]).Text);
    }

    [Fact]
    public async Task With_reads_local_the_barrier_is_off()
    {
        await using var node = await GraphNode.StartAsync("local", Timeout);
        node.Store.FailPosition = true;
        var read = await node.CallAsync("list_tasks", new { }, Timeout);
        Assert.True(read.IsError is not true, ((TextContentBlock)read.Content[0]).Text);
    }

    [Fact]
    public async Task The_barrier_guards_every_tool_that_answers_from_the_read_model_and_no_write()
    {
        await using var node = await GraphNode.StartAsync("fresh", Timeout);
        node.Store.FailPosition = true;
        var args = new { task = "some-task", query = "some", agent = "some-agent", worker_id = "some-agent" };
        string[] reads = ["get", "list_tasks", "scan", "search", "task_history", "project_history", "list_marks", "list_agents", "mark_updates"];
        foreach (var tool in reads)
        {
            var result = await node.CallAsync(tool, args, Timeout);
            Assert.True(result.IsError == true, $"{tool} answered although the barrier failed");
            Assert.Equal((tool, "STORE_UNAVAILABLE"), (tool, Body(result).GetProperty("code").GetString()));
        }

        // A write behind the failing position still runs (its own refusal, if any, is not the barrier's).
        foreach (var tool in new[] { "claim", "update", "thinking", "mark_file" })
        {
            var result = await node.CallAsync(tool, new { worker_id = "nobody", agent = "nobody", task = "none", thought = "t", file = "f.txt", status = "completed" }, Timeout);
            Assert.NotEqual((tool, "STORE_UNAVAILABLE"), (tool, result.IsError == true ? Body(result).GetProperty("code").GetString() : null));
        }
    }

    private static JsonElement Body(CallToolResult result) =>
        JsonDocument.Parse(((TextContentBlock)result.Content[0]).Text).RootElement;

    /// <summary>A SQLite store whose position can be made to fail as an unreachable store does.</summary>
    private sealed class PositionFailingStore(IRecordStore inner) : IRecordStore
    {
        public volatile bool FailPosition;

        public ValueTask<RecordEntry?> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

        public ValueTask<ulong> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => inner.CreateAsync(key, value, cancellationToken);

        public ValueTask<ulong> UpdateAsync(string key, ReadOnlyMemory<byte> value, ulong expectedRevision, CancellationToken cancellationToken = default) =>
            inner.UpdateAsync(key, value, expectedRevision, cancellationToken);

        public ValueTask<ulong> DeleteAsync(string key, ulong expectedRevision, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, expectedRevision, cancellationToken);

        public ValueTask<IReadOnlyList<RecordEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

        public async IAsyncEnumerable<RecordChange> WatchAsync(ulong afterPosition, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var change in inner.WatchAsync(afterPosition, cancellationToken))
            {
                yield return change;
            }
        }

        public ValueTask<IReadOnlyList<RecordChange>> HistoryAsync(string key, ulong afterRevision = 0, CancellationToken cancellationToken = default) => inner.HistoryAsync(key, afterRevision, cancellationToken);

        public ValueTask<ulong> GetPositionAsync(CancellationToken cancellationToken = default) =>
            FailPosition ? throw new StoreUnavailableException("position refused by the test") : inner.GetPositionAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>An in-process node (<see cref="InProcessNode"/>) on a temp SQLite file behind a store whose position can fail.</summary>
    private sealed class GraphNode(InProcessNode node, PositionFailingStore store) : IAsyncDisposable
    {
        public PositionFailingStore Store { get; } = store;

        public static async Task<GraphNode> StartAsync(string reads, CancellationToken cancellationToken)
        {
            var directory = TestPaths.TempDir("fresh-filter");
            var sqlite = await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(directory, "tasks.db") }, null, cancellationToken);
            var store = new PositionFailingStore(sqlite);
            var node = await InProcessNode.StartAsync(store, new TaskGraphConfig { Server = new ServerSettings { Reads = reads } }, cancellationToken);
            return new GraphNode(node, store);
        }

        public Task<CallToolResult> CallAsync(string tool, object? args, CancellationToken cancellationToken) =>
            node.Client.CallToolAsync(tool, InMemoryNode.ToArguments(args), cancellationToken: cancellationToken).AsTask();

        public ValueTask DisposeAsync() => node.DisposeAsync();
    }
}
