using System.Collections.Concurrent;
using TaskGraph.Core.Queries;

namespace TaskGraph.Node.Swarm;

/// <summary>
/// Containers are never ready (claim-next skips them), so the swarm closes them as a lead would: a container whose
/// children are all completed is offered to the next free agent, which claims it by id and completes it.
/// </summary>
internal sealed class ContainerCloser(IReadOnlyDictionary<string, List<string>> children, string initialState, string completedState)
{
    private readonly ConcurrentQueue<string> _ready = new();
    private readonly ConcurrentDictionary<string, byte> _offered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _firstOpenChild = children.Keys.ToDictionary(k => k, _ => 0, StringComparer.Ordinal);

    /// <summary>Containers not yet seen completed.</summary>
    public int Remaining => _firstOpenChild.Count;

    /// <summary>Finds containers that may close now (one caller at a time). A child once completed stays so, so each child is looked at until it is.</summary>
    public void Scan(TaskQueries tasks)
    {
        foreach (var (id, first) in _firstOpenChild.ToList())
        {
            var container = tasks.Find(id);
            if (container is null || _offered.ContainsKey(id))
            {
                continue;
            }

            if (container.Status == completedState)
            {
                _firstOpenChild.Remove(id);
                continue;
            }

            var kids = children[id];
            var next = first;
            while (next < kids.Count && tasks.Find(kids[next])?.Status == completedState)
            {
                next++;
            }

            _firstOpenChild[id] = next;
            if (next == kids.Count && container.Status == initialState && container.Owner is null && _offered.TryAdd(id, 0))
            {
                _ready.Enqueue(id);
            }
        }
    }

    /// <summary>Takes a container to close, if one is waiting.</summary>
    public bool TryTake(out string id) => _ready.TryDequeue(out id!);

    /// <summary>The attempt on <paramref name="id"/> is over (won or not): the next scan may offer it again.</summary>
    public void Done(string id) => _offered.TryRemove(id, out _);
}
