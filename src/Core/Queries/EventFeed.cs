using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Queries;

/// <summary>
/// Long-poll over the store's own change log: the events after a cursor, waiting until one arrives or a timeout.
/// Because it reads the log (not this node's memory), a cursor from one node resumes on another and after a restart.
/// Tokens are never shown; worker records (every heartbeat) only when asked for.
/// </summary>
public sealed class EventFeed(IRecordStore store, TimeProvider time)
{
    /// <summary>The event kinds an agent can ask for.</summary>
    public static readonly IReadOnlySet<string> Kinds = new HashSet<string>(StringComparer.Ordinal) { "task", "mark", "dependency", "worker" };

    private static readonly TimeSpan BacklogDeadline = TimeSpan.FromSeconds(10);

    /// <summary>The kinds returned when none are asked for.</summary>
    public static readonly IReadOnlySet<string> DefaultKinds = new HashSet<string>(StringComparer.Ordinal) { "task", "mark", "dependency" };

    /// <summary>
    /// The matching events after <paramref name="since"/> (null: after the newest change now). Returns as soon as the
    /// events already in the log are read and at least one matched, at the first live match, at <paramref name="limit"/>
    /// events, or after <paramref name="timeout"/> with none (a zero timeout reads what is in the log and returns).
    /// </summary>
    public async Task<EventPage> WaitAsync(
        ulong? since, IReadOnlySet<string>? kinds, IReadOnlySet<string>? tasks, TimeSpan timeout, int limit, CancellationToken cancellationToken)
    {
        kinds ??= DefaultKinds;
        var head = await store.GetPositionAsync(cancellationToken).ConfigureAwait(false);
        var start = since ?? head;
        var cursor = start;
        var events = new List<GraphEvent>();
        if (start >= head && timeout <= TimeSpan.Zero)
        {
            return new EventPage(events, cursor, TimedOut: true);
        }

        // Without a wait, the changes already in the log are still read (bounded by a deadline of their own).
        var poll = timeout <= TimeSpan.Zero;
        using var wait = new CancellationTokenSource(poll ? BacklogDeadline : timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wait.Token);
        try
        {
            await foreach (var change in store.WatchAsync(start, linked.Token).ConfigureAwait(false))
            {
                cursor = change.Position;
                if (ToEvent(change) is { } e && kinds.Contains(e.Kind) && (tasks is null || (e.Kind == "task" && e.Id is not null && tasks.Contains(e.Id))))
                {
                    events.Add(e);
                }

                if (events.Count >= limit || ((events.Count > 0 || poll) && cursor >= head))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The timeout: answer with what there is.
        }

        return new EventPage(events, cursor, TimedOut: events.Count == 0);
    }

    private static GraphEvent? ToEvent(RecordChange change)
    {
        var at = RecordJson.ChangedAtOf(change.Value) ?? change.Timestamp.ToUnixTimeMilliseconds();
        var deleted = change.Kind == ChangeKind.Delete;
        if (change.Key.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal))
        {
            var id = RecordKeys.Decode(change.Key[RecordKeys.TaskPrefix.Length..]);
            if (deleted)
            {
                return new GraphEvent { Position = change.Position, Kind = "task", Id = id, Change = "delete", At = at };
            }

            var task = RecordJson.Deserialize<TaskRecord>(change.Value);
            return new GraphEvent
            {
                Position = change.Position,
                Kind = "task",
                Id = id,
                Change = task.IsDeleted ? "delete" : task.Change?.Kind ?? ChangeKinds.Update,
                Status = task.Status,
                Owner = task.Owner,
                Actor = task.Change?.Actor,
                At = at,
            };
        }

        if (change.Key.StartsWith(RecordKeys.MarkPrefix, StringComparison.Ordinal))
        {
            var owner = deleted ? null : RecordJson.Deserialize<MarkRecord>(change.Value).Agent;
            return new GraphEvent
            {
                Position = change.Position,
                Kind = "mark",
                Id = RecordKeys.Decode(change.Key[RecordKeys.MarkPrefix.Length..]),
                Change = deleted ? "delete" : "put",
                Owner = owner,
                At = at,
            };
        }

        if (change.Key == RecordKeys.Dependencies)
        {
            return new GraphEvent { Position = change.Position, Kind = "dependency", Change = deleted ? "delete" : "put", At = at };
        }

        return change.Key.StartsWith(RecordKeys.WorkerPrefix, StringComparison.Ordinal)
            ? new GraphEvent
            {
                Position = change.Position,
                Kind = "worker",
                Id = RecordKeys.Decode(change.Key[RecordKeys.WorkerPrefix.Length..]),
                Change = deleted ? "delete" : "put",
                At = at,
            }
            : null;
    }
}
