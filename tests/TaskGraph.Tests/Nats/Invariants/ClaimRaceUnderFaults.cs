using System.Collections.Concurrent;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Tasks;
using TaskGraph.Tests.Rules;

namespace TaskGraph.Tests.Nats.Invariants;

/// <summary>
/// A claim race that goes on while NATS fails underneath: agents claim through the services of several nodes and, as a
/// real agent would, retry a claim that ended in STORE_UNAVAILABLE or CONFLICT until it is decided (won, or ALREADY_CLAIMED).
/// Afterwards every task has exactly one owner, the agent whose final answer was success, and one claim revision.
/// </summary>
public sealed class ClaimRaceUnderFaults
{
    private readonly ConcurrentDictionary<string, string> _winners = new();
    private readonly ConcurrentBag<(string Agent, string Task)> _losses = [];
    private int _unavailable;
    private int _conflicts;
    private int _wins;

    /// <summary>Claims decided as won so far.</summary>
    public int Wins => Volatile.Read(ref _wins);

    /// <summary>STORE_UNAVAILABLE answers the agents saw (and retried).</summary>
    public int Unavailable => Volatile.Read(ref _unavailable);

    /// <summary>CONFLICT answers the agents saw (and retried).</summary>
    public int Conflicts => Volatile.Read(ref _conflicts);

    /// <summary>
    /// Runs <paramref name="agents"/> agents (agent <c>a</c> on <paramref name="servicesOf"/>(a)) over <paramref name="tasks"/>
    /// tasks, each agent starting at its own offset; a fault injector may watch <see cref="Wins"/>.
    /// </summary>
    public async Task RunAsync(int agents, int tasks, Func<int, TaskService> servicesOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(servicesOf);
        var outcomes = await RulesHarness.RaceAsync(agents, async a =>
        {
            var services = servicesOf(a);
            var agent = $"agent{a}";
            for (var i = 0; i < tasks; i++)
            {
                var task = $"t{((a * 7) + i) % tasks}";
                if (await ClaimUntilDecidedAsync(services, agent, task, cancellationToken))
                {
                    Assert.True(_winners.TryAdd(task, agent), $"{task} won by {_winners.GetValueOrDefault(task)} and {agent}");
                    Interlocked.Increment(ref _wins);
                }
                else
                {
                    _losses.Add((agent, task));
                }
            }
        }, cancellationToken);
        Assert.All(outcomes, o => Assert.Null(o));
    }

    /// <summary>
    /// Nothing lost or doubled: every task has one owner, the agent told it won; everyone else was told ALREADY_CLAIMED;
    /// the task's log has exactly one claim revision; every owned task is reserved in its owner's worker record.
    /// </summary>
    public async Task AssertExactlyOnceAsync(RulesHarness reader, int agents, int tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        Assert.Equal(tasks, _winners.Count);
        var log = await UntilAvailableAsync(() => ReadLogAsync(reader.Store, cancellationToken), cancellationToken);
        var owners = new Dictionary<string, string>();
        for (var t = 0; t < tasks; t++)
        {
            var id = $"t{t}";
            var task = await UntilAvailableAsync(() => reader.TaskAsync(id, cancellationToken), cancellationToken);
            Assert.Equal(("working", _winners[id]), (task.Status, task.Owner));
            owners[id] = task.Owner!;
            var claims = log.Where(c => c.Key == RecordKeys.Task(id)).Select(c => RecordJson.Deserialize<TaskRecord>(c.Value)).Where(r => r.Change?.Kind == "claim").ToList();
            Assert.True(claims.Count == 1, $"{id} has {claims.Count} claim revisions: {string.Join(", ", claims.Select(c => c.Owner))}");
        }

        Assert.All(_losses, l => Assert.NotEqual(l.Agent, owners[l.Task]));
        for (var a = 0; a < agents; a++)
        {
            var agent = $"agent{a}";
            var worker = await UntilAvailableAsync(() => reader.WorkerAsync(agent, cancellationToken), cancellationToken);
            var reserved = worker!.Claims.Select(c => c.TaskId).ToHashSet(StringComparer.Ordinal);
            Assert.All(owners.Where(o => o.Value == agent), o => Assert.Contains(o.Key, reserved));
        }
    }

    /// <summary>Retries a read while the store is unavailable (the cluster electing, the server restarting).</summary>
    public static async Task<T> UntilAvailableAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        while (true)
        {
            try
            {
                return await read();
            }
            catch (Exception ex) when (ex is StoreUnavailableException or TaskGraphException { Code: ErrorCodes.StoreUnavailable })
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>The whole change log up to the current position, in one pass (one consumer instead of one per key).</summary>
    private static async Task<List<RecordChange>> ReadLogAsync(IRecordStore store, CancellationToken cancellationToken)
    {
        var end = await store.GetPositionAsync(cancellationToken);
        var changes = new List<RecordChange>();
        if (end == 0)
        {
            return changes;
        }

        await foreach (var change in store.WatchAsync(0, cancellationToken))
        {
            changes.Add(change);
            if (change.Position >= end)
            {
                break;
            }
        }

        return changes;
    }

    private async Task<bool> ClaimUntilDecidedAsync(TaskService services, string agent, string task, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await services.ClaimAsync(agent, task, false, cancellationToken);
                return true;
            }
            catch (TaskGraphException ex) when (ex.Code == ErrorCodes.AlreadyClaimed)
            {
                return false;
            }
            catch (TaskGraphException ex) when (ex.Code is ErrorCodes.StoreUnavailable or ErrorCodes.Conflict)
            {
                // Unknown outcome: ask again. A claim that landed comes back as ours (re-claiming your own task is a heartbeat).
                if (ex.Code == ErrorCodes.Conflict)
                {
                    Interlocked.Increment(ref _conflicts);
                }
                else
                {
                    Interlocked.Increment(ref _unavailable);
                }

                await Task.Delay(100, cancellationToken);
            }
        }
    }
}
