using TaskGraph.Core.Migration;
using TaskGraph.Core.Records;

namespace TaskGraph.Tests.Migration;

/// <summary>The incremental edge replay gives what <see cref="DependencyChangeRecord.ApplyTo"/> gives, revision by revision.</summary>
[Trait("Lane", "fast")]
public sealed class EdgeReplayTests
{
    [Fact]
    public void Random_changes_and_snapshots_replay_to_the_same_ordered_edges_as_ApplyTo()
    {
        var random = new Random(14);
        var replay = new EdgeReplay();
        IReadOnlyList<DependencyEdge> expected = [];
        DependencyEdge Edge() => new($"t{random.Next(30)}", $"t{random.Next(30)}", random.Next(2) == 0 ? "blocks" : "contains");
        for (var revision = 1; revision <= 2000; revision++)
        {
            DependencyChangeRecord change;
            if (revision % 500 == 0)
            {
                change = new DependencyChangeRecord { Edges = [.. Enumerable.Range(0, 20).Select(_ => Edge()).Distinct()] };
            }
            else
            {
                var removed = expected.Count > 0 && random.Next(3) == 0 ? [expected[random.Next(expected.Count)]] : Array.Empty<DependencyEdge>();
                change = new DependencyChangeRecord { Format = DependencyChangeRecord.ChangeFormat, Added = [Edge(), Edge()], Removed = removed };
            }

            expected = change.ApplyTo(expected);
            replay.Apply(change);
            Assert.Equal(expected, replay.Edges);
        }

        replay.Clear();
        Assert.Equal(0, replay.Count);
    }
}
