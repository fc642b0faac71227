using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Queries;

/// <summary>
/// The events a worker has not seen yet, counted per worker from the store's change log as a node follows it: a change
/// someone else made to a task the worker owned (taken over, released, reassigned, edited, completed or deleted by
/// another), and a task someone else gave it. Tool answers carry the count as <c>pending_events</c>; a
/// <c>wait_for_events</c> by the worker marks everything up to its cursor as seen. Kept in memory per node (the log
/// itself is the durable truth); at most <see cref="MaxKept"/> positions per worker.
/// </summary>
public sealed class PendingEvents
{
    /// <summary>The most unseen events kept per worker (older ones are dropped; the count then says "at least").</summary>
    public const int MaxKept = 1000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _owners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<ulong>> _unseen = new(StringComparer.Ordinal);

    /// <summary>Starts from the tasks owned now (task id, owner), so the first change to one of them is attributed.</summary>
    public PendingEvents(IEnumerable<(string Task, string Owner)> owned)
    {
        ArgumentNullException.ThrowIfNull(owned);
        foreach (var (task, owner) in owned)
        {
            _owners[task] = owner;
        }
    }

    /// <summary>Takes one change of the log into account (changes of other records are ignored).</summary>
    public void Observe(RecordChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (!change.Key.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal))
        {
            return;
        }

        var id = RecordKeys.Decode(change.Key[RecordKeys.TaskPrefix.Length..]);
        string? owner = null;
        string? actor = null;
        if (change.Kind != ChangeKind.Delete)
        {
            // Three fields of the task are all this needs: read only them (the read model decodes the whole record already).
            Ownership task;
            try
            {
                task = RecordJson.Deserialize<Ownership>(change.Value);
            }
            catch (System.Text.Json.JsonException)
            {
                return;
            }

            owner = task.DeletedAt is null ? task.Owner : null;
            actor = task.Change?.Actor;
        }

        lock (_gate)
        {
            var previous = _owners.GetValueOrDefault(id);
            if (owner is null)
            {
                _owners.Remove(id);
            }
            else
            {
                _owners[id] = owner;
            }

            if (previous is not null && previous != actor)
            {
                Add(previous, change.Position);
            }

            if (owner is not null && owner != previous && owner != actor)
            {
                Add(owner, change.Position);
            }
        }
    }

    /// <summary>How many events the worker has not seen.</summary>
    public int Count(string worker)
    {
        lock (_gate)
        {
            return _unseen.TryGetValue(worker, out var queue) ? queue.Count : 0;
        }
    }

    /// <summary>Marks the worker's events up to <paramref name="cursor"/> (a log position) as seen.</summary>
    public void Seen(string worker, ulong cursor)
    {
        lock (_gate)
        {
            if (!_unseen.TryGetValue(worker, out var queue))
            {
                return;
            }

            while (queue.Count > 0 && queue.Peek() <= cursor)
            {
                queue.Dequeue();
            }

            if (queue.Count == 0)
            {
                _unseen.Remove(worker);
            }
        }
    }

    private void Add(string worker, ulong position)
    {
        if (!_unseen.TryGetValue(worker, out var queue))
        {
            _unseen[worker] = queue = new Queue<ulong>();
        }

        if (queue.Count == MaxKept)
        {
            queue.Dequeue();
        }

        queue.Enqueue(position);
    }

    /// <summary>The fields of a stored task this count reads (the names of <see cref="TaskRecord"/>'s encoding).</summary>
    private sealed record Ownership(
        [property: System.Text.Json.Serialization.JsonPropertyName("worker_id")] string? Owner,
        long? DeletedAt,
        ChangeActor? Change);

    /// <summary>The actor of a task's <c>change</c>.</summary>
    private sealed record ChangeActor(string? Actor);
}
