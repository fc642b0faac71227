using System.Runtime.CompilerServices;
using TaskGraph.Core.Migration;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Migration;

/// <summary>
/// What the diff keeps of a side: the edges followed as hashes give the set <see cref="EdgeReplay"/> gives (the image no
/// longer holds the edges themselves), and only task values that can name a blob are parsed for blobs.
/// </summary>
[Trait("Lane", "fast")]
public sealed class GraphImageTests
{
    [Fact]
    public async Task Edges_followed_as_hashes_are_the_hashes_of_the_replayed_edge_set()
    {
        var ct = TestContext.Current.CancellationToken;
        var random = new Random(1414);
        var replay = new EdgeReplay();
        var entries = new List<SnapshotEntry>();
        DependencyEdge Edge() => new($"t{random.Next(25)}", $"t{random.Next(25)}", random.Next(2) == 0 ? "blocks" : "contains");
        for (var revision = 1; revision <= 600; revision++)
        {
            if (revision % 250 == 0)
            {
                entries.Add(new SnapshotEntry(SnapshotEntryKind.Delete, RecordKeys.Dependencies, ReadOnlyMemory<byte>.Empty));
                replay.Clear();
                continue;
            }

            var edges = replay.Edges;
            var change = revision % 100 == 0
                ? new DependencyChangeRecord { Edges = [.. Enumerable.Range(0, 15).Select(_ => Edge()).Distinct()] }
                : new DependencyChangeRecord
                {
                    Format = DependencyChangeRecord.ChangeFormat,
                    Added = [Edge(), Edge()],
                    Removed = edges.Count > 0 && random.Next(3) == 0 ? [edges[random.Next(edges.Count)]] : [],
                };
            replay.Apply(change);
            entries.Add(new SnapshotEntry(SnapshotEntryKind.Put, RecordKeys.Dependencies, RecordJson.Serialize(change)));
            if (revision % 37 == 0 || revision == 599)
            {
                var image = await GraphImage.ReadAsync(new ListSource(entries), ct);
                Assert.True(image.Edges.SetEquals(replay.Set.Select(GraphImage.Hash)), $"revision {revision}");
                Assert.Empty(image.Records);
            }
        }
    }

    [Fact]
    public void Only_a_task_value_that_can_name_a_blob_is_parsed_for_blobs()
    {
        var plain = """{"id":"a","attachments":[{"type":"note","content":"inline"}]}"""u8.ToArray();
        var named = """{"id":"a","attachments":[{"type":"log","blob_name":"a_log.txt"}]}"""u8.ToArray();
        var escaped = """{"id":"a","attachments":[{"type":"log","blob\u005fname":"a_log.txt"}]}"""u8.ToArray();
        Assert.False(GraphKeys.MayNameBlobs(plain));
        Assert.Empty(GraphKeys.BlobsOf(plain));
        Assert.True(GraphKeys.MayNameBlobs(named));
        Assert.Equal(["a_log.txt"], GraphKeys.BlobsOf(named));
        Assert.True(GraphKeys.MayNameBlobs(escaped));
        Assert.Equal(["a_log.txt"], GraphKeys.BlobsOf(escaped));
    }

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
