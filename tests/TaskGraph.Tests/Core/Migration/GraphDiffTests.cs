using System.Runtime.CompilerServices;
using System.Text;
using TaskGraph.Core.Migration;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Migration;

/// <summary>GraphDiff over two entry lists: equal sides, and each kind of difference named (record fields, edges, blobs, history).</summary>
[Trait("Lane", "fast")]
public sealed class GraphDiffTests
{
    [Fact]
    public async Task Equal_sides_have_no_difference_and_each_kind_of_difference_is_named()
    {
        var ct = TestContext.Current.CancellationToken;
        List<SnapshotEntry> Base() =>
        [
            Put(RecordKeys.Task("a"), """{"id":"a","status":"pending"}"""),
            Put(RecordKeys.Task("a"), """{"id":"a","status":"working"}"""),
            Put(RecordKeys.Task("b"), """{"id":"b","status":"pending"}"""),
            Put(RecordKeys.Dependencies, """{"edges":[{"from":"a","to":"b","type":"blocks"}]}"""),
            new(SnapshotEntryKind.Blob, "a_log.txt", Encoding.UTF8.GetBytes("log")),
        ];
        Assert.Empty(await GraphDiff.CompareAsync(new ListSource(Base()), new ListSource(Base()), ct));

        var other = Base();
        other[1] = Put(RecordKeys.Task("a"), """{"id":"a","status":"completed"}""");
        other[3] = Put(RecordKeys.Dependencies, """{"edges":[{"from":"a","to":"b","type":"blocks"},{"from":"b","to":"c","type":"follows"}]}""");
        other[4] = new(SnapshotEntryKind.Blob, "a_log.txt", Encoding.UTF8.GetBytes("other log"));
        other.Add(Put(RecordKeys.Task("c"), """{"id":"c","status":"pending"}"""));
        other.Insert(3, Put(RecordKeys.Task("b"), """{"id":"b","status":"pending"}"""));
        var differences = await GraphDiff.CompareAsync(new ListSource(Base()), new ListSource(other), ct);

        Assert.Contains(differences, d => d is { Kind: "modified", What: "record", Key: "task.a" } && d.Fields!.SequenceEqual(["status"]));
        Assert.Contains(differences, d => d is { Kind: "added", What: "record", Key: "task.c" });
        Assert.Contains(differences, d => d is { Kind: "added", What: "edge", Key: "b -> c (follows)" });
        Assert.Contains(differences, d => d is { Kind: "modified", What: "blob", Key: "a_log.txt" });
        Assert.Contains(differences, d => d is { Kind: "history", Key: "task.b", Detail: "1 revisions vs 2" });
        Assert.DoesNotContain(differences, d => d.What == "edge" && d.Key.StartsWith("a -> b", StringComparison.Ordinal));
    }

    private static SnapshotEntry Put(string key, string json) => new(SnapshotEntryKind.Put, key, Encoding.UTF8.GetBytes(json));

    private sealed class ListSource(IReadOnlyList<SnapshotEntry> entries) : IGraphSource
    {
        public SnapshotHeader Header { get; } = new(SnapshotFormat.Version, "default", "now", History: true, Workers: false);

        public string Name => "list";

        public async IAsyncEnumerable<SnapshotEntry> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (var entry in entries)
            {
                yield return entry;
            }

            await Task.CompletedTask;
        }
    }
}
