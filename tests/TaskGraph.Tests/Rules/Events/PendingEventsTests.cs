using System.Text;
using TaskGraph.Core.Queries;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Rules.Events;

/// <summary>
/// The unseen-event count per worker: changes others make to a worker's task (takeover, release, edit, delete) and a
/// task given to it count; its own changes do not; <see cref="PendingEvents.Seen"/> clears up to a cursor.
/// </summary>
[Trait("Lane", "fast")]
public sealed class PendingEventsTests
{
    private ulong _position;

    [Fact]
    public void A_takeover_counts_for_the_previous_owner_and_not_for_the_taker()
    {
        var pending = new PendingEvents([("t1", "ada")]);
        pending.Observe(Task("t1", owner: "bob", actor: "bob"));
        Assert.Equal(1, pending.Count("ada"));
        Assert.Equal(0, pending.Count("bob"));
    }

    [Fact]
    public void A_workers_own_changes_never_count()
    {
        var pending = new PendingEvents([]);
        pending.Observe(Task("t1", owner: "ada", actor: "ada"));
        pending.Observe(Task("t1", owner: "ada", actor: "ada"));
        pending.Observe(Task("t1", owner: null, actor: "ada"));
        Assert.Equal(0, pending.Count("ada"));
    }

    [Fact]
    public void A_task_given_by_someone_else_counts_for_its_new_owner_and_an_edit_or_delete_by_another_for_the_owner()
    {
        var pending = new PendingEvents([]);
        pending.Observe(Task("t1", owner: "ada", actor: "lead"));
        Assert.Equal(1, pending.Count("ada"));
        pending.Observe(Task("t1", owner: "ada", actor: "lead"));
        Assert.Equal(2, pending.Count("ada"));
        pending.Observe(new RecordChange(++_position, RecordKeys.TaskPrefix + "t1", _position, ReadOnlyMemory<byte>.Empty, ChangeKind.Delete, DateTimeOffset.UnixEpoch));
        Assert.Equal(3, pending.Count("ada"));
    }

    [Fact]
    public void Seen_clears_the_events_up_to_the_cursor_only()
    {
        var pending = new PendingEvents([("t1", "ada"), ("t2", "ada")]);
        pending.Observe(Task("t1", owner: "bob", actor: "bob"));
        var cursor = _position;
        pending.Observe(Task("t2", owner: "bob", actor: "bob"));
        pending.Seen("ada", cursor);
        Assert.Equal(1, pending.Count("ada"));
        pending.Seen("ada", _position);
        Assert.Equal(0, pending.Count("ada"));
    }

    [Fact]
    public void Other_records_are_ignored_and_the_count_is_bounded()
    {
        var pending = new PendingEvents([]);
        pending.Observe(new RecordChange(++_position, RecordKeys.WorkerPrefix + "ada", 1, Encoding.UTF8.GetBytes("{}"), ChangeKind.Put, DateTimeOffset.UnixEpoch));
        Assert.Equal(0, pending.Count("ada"));
        for (var i = 0; i < PendingEvents.MaxKept + 10; i++)
        {
            pending.Observe(Task("t" + i, owner: "ada", actor: "lead"));
        }

        Assert.Equal(PendingEvents.MaxKept, pending.Count("ada"));
    }

    private RecordChange Task(string id, string? owner, string actor)
    {
        var record = new TaskRecord
        {
            Id = id,
            Status = owner is null ? "pending" : "assigned",
            Owner = owner,
            Change = new TaskChange { Kind = ChangeKinds.Update, Actor = actor },
        };
        _position++;
        return new RecordChange(_position, RecordKeys.TaskPrefix + RecordKeys.Encode(id), _position, RecordJson.Serialize(record), ChangeKind.Put, DateTimeOffset.UnixEpoch);
    }
}
