using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Verification;

namespace TaskGraph.Tests.Node.Swarm;

/// <summary>The history checker fed hand-made histories: a clean one passes, each kind of bad one is caught.</summary>
public sealed class HistoryCheckerTests
{
    private static readonly HistoryChecker Checker = new(new HistoryCheckOptions { ClaimLimit = 2 });

    [Fact]
    public void A_clean_history_has_no_violation()
    {
        var log = new LogBuilder();
        log.Create("a");
        log.Create("b");
        log.Edges(new DependencyEdge("a", "b", "blocks"));
        log.Claim("a", "w1");
        log.Complete("a", "w1");
        log.Claim("b", "w2");
        log.Complete("b", "w2");

        var result = Checker.Check(log.Changes, [new AcknowledgedCompletion("w1", "a", 1), new AcknowledgedCompletion("w2", "b", 2)], log.Current);

        Assert.Empty(result.Violations);
        Assert.Equal(2, result.Completions);
        Assert.Equal(2, result.Claims);
    }

    [Fact]
    public void A_task_completed_twice_is_caught()
    {
        var log = new LogBuilder();
        log.Create("a");
        log.Claim("a", "w1");
        log.Complete("a", "w1");
        log.Reopen("a", "w1");
        log.Claim("a", "w2");
        log.Complete("a", "w2");

        var result = Checker.Check(log.Changes, []);

        Assert.Contains(result.Violations, v => v.Kind == HistoryChecker.CompletedNotOnce && v.TaskId == "a");
    }

    [Fact]
    public void A_claim_while_a_predecessor_is_unfinished_is_caught()
    {
        var log = new LogBuilder();
        log.Create("a");
        log.Create("b");
        log.Edges(new DependencyEdge("a", "b", "follows"));
        log.Claim("b", "w1");
        log.Complete("b", "w1");
        log.Claim("a", "w2");
        log.Complete("a", "w2");

        var result = Checker.Check(log.Changes, []);

        var violation = Assert.Single(result.Violations);
        Assert.Equal(HistoryChecker.ClaimedWhileBlocked, violation.Kind);
        Assert.Equal("b", violation.TaskId);
    }

    [Fact]
    public void A_worker_over_its_claim_limit_is_caught()
    {
        var log = new LogBuilder();
        foreach (var id in new[] { "a", "b", "c" })
        {
            log.Create(id);
            log.Claim(id, "w1");
        }

        foreach (var id in new[] { "a", "b", "c" })
        {
            log.Complete(id, "w1");
        }

        var result = Checker.Check(log.Changes, []);

        var violation = Assert.Single(result.Violations);
        Assert.Equal(HistoryChecker.OverClaimLimit, violation.Kind);
        Assert.Equal("w1", violation.WorkerId);
    }

    [Fact]
    public void A_completion_by_a_worker_that_does_not_own_the_task_is_caught()
    {
        var log = new LogBuilder();
        log.Create("a");
        log.Claim("a", "w1");
        log.Complete("a", "w2");

        var result = Checker.Check(log.Changes, []);

        var violation = Assert.Single(result.Violations);
        Assert.Equal(HistoryChecker.CompletedByNonOwner, violation.Kind);
        Assert.Equal("w2", violation.WorkerId);
    }

    [Fact]
    public void An_acknowledged_completion_by_a_worker_that_lost_the_claim_is_caught()
    {
        // w1 claimed, went silent, w2 took over and completed; w1's late completion then changed nothing but was acknowledged.
        var log = new LogBuilder();
        log.Create("a");
        log.Claim("a", "w1");
        log.Release("a", "sweeper");
        log.Claim("a", "w2");
        log.Complete("a", "w2");
        log.Touch("a", "w1");

        var result = Checker.Check(log.Changes, [new AcknowledgedCompletion("w2", "a", 1), new AcknowledgedCompletion("w1", "a", 2)], log.Current);

        var violation = Assert.Single(result.Violations);
        Assert.Equal(HistoryChecker.AcknowledgedWithoutClaim, violation.Kind);
        Assert.Equal("w1", violation.WorkerId);
        Assert.Equal(1, result.Takeovers);
    }

    [Fact]
    public void An_unfinished_task_a_missing_revision_and_a_log_out_of_order_are_caught()
    {
        var log = new LogBuilder();
        log.Create("a");
        log.Create("b");
        log.Claim("a", "w1");
        log.Complete("a", "w1");
        log.Claim("b", "w1");
        var changes = log.Changes.ToList();
        changes.RemoveAt(2); // a's claim: a's completion now comes from "working" after "pending"
        (changes[0], changes[1]) = (changes[1], changes[0]);

        var result = Checker.Check(changes, [], log.Current);

        Assert.Contains(result.Violations, v => v.Kind == HistoryChecker.NotCompleted && v.TaskId == "b");
        Assert.Contains(result.Violations, v => v.Kind == HistoryChecker.MissingChange && v.TaskId == "a");
        Assert.Contains(result.Violations, v => v.Kind == HistoryChecker.OutOfOrder);
    }

    [Fact]
    public void A_parent_completed_with_an_open_child_is_caught()
    {
        var log = new LogBuilder();
        log.Create("p");
        log.Create("c");
        log.Edges(new DependencyEdge("p", "c", "contains"));
        log.Claim("p", "w1");
        log.Complete("p", "w1");
        log.Claim("c", "w1");
        log.Complete("c", "w1");

        var result = Checker.Check(log.Changes, []);

        var violation = Assert.Single(result.Violations);
        Assert.Equal(HistoryChecker.CompletedWithOpenChildren, violation.Kind);
    }

    /// <summary>Writes a change log by hand, the way the rules would have written the records.</summary>
    private sealed class LogBuilder
    {
        private readonly Dictionary<string, (TaskRecord Task, ulong Revision)> _tasks = new(StringComparer.Ordinal);
        private ulong _position;

        public List<RecordChange> Changes { get; } = [];

        public IReadOnlyList<RecordEntry> Current =>
            [.. _tasks.Values.Select(t => new RecordEntry(RecordKeys.Task(t.Task.Id), RecordJson.Serialize(t.Task), t.Revision, DateTimeOffset.UnixEpoch))];

        public void Create(string id) => Put(new TaskRecord { Id = id, Status = "pending", Change = new TaskChange { Kind = "create" } });

        public void Edges(params DependencyEdge[] edges) =>
            Changes.Add(new RecordChange(++_position, RecordKeys.Dependencies, _position, RecordJson.Serialize(new DependencyGraphRecord { Edges = edges }), ChangeKind.Put, DateTimeOffset.UnixEpoch));

        public void Claim(string id, string worker) => Next(id, t => t with { Status = "working", Owner = worker, LeaseEpoch = t.LeaseEpoch + 1 }, "claim", worker);

        public void Complete(string id, string worker) => Next(id, t => t with { Status = "completed", Owner = null, LeaseEpoch = t.LeaseEpoch + 1 }, "status", worker);

        public void Release(string id, string actor) => Next(id, t => t with { Status = "pending", Owner = null, LeaseEpoch = t.LeaseEpoch + 1 }, "evict", actor);

        public void Reopen(string id, string actor) => Next(id, t => t with { Status = "pending" }, "status", actor);

        public void Touch(string id, string actor) => Next(id, t => t, "update", actor);

        private void Next(string id, Func<TaskRecord, TaskRecord> change, string kind, string actor)
        {
            var before = _tasks[id].Task;
            Put(change(before) with { Change = new TaskChange { Kind = kind, Actor = actor, FromStatus = before.Status } });
        }

        private void Put(TaskRecord task)
        {
            var key = RecordKeys.Task(task.Id);
            Changes.Add(new RecordChange(++_position, key, _position, RecordJson.Serialize(task), ChangeKind.Put, DateTimeOffset.UnixEpoch));
            _tasks[task.Id] = (task, _position);
        }
    }
}
