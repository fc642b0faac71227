using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// <c>mark_file</c>, <c>unmark_file</c>, <c>list_marks</c> and <c>mark_updates</c> through the real tools: advisory
/// marks warn, <c>lock:</c> marks are exclusive (LOCK_CONFLICT naming the holder), and each agent's cursor shows what
/// others marked and released since it last asked.
/// Runs on SQLite (fast lane) and on a single nats-server.
/// </summary>
public abstract class MarkToolTests : InProcessToolTests
{
    [Fact]
    public async Task An_advisory_mark_warns_the_second_agent_and_stays_with_the_first()
    {
        await ConnectAsync("alice", "bob");
        await CreateAsync("edit");
        var first = await CallAsync("mark_file", new { agent = "alice", file = "src/./app/../main.cs", task = "edit", reason = "refactor" });
        Assert.Equal(["src/main.cs"], Strings(first, "marked"));
        Assert.False(first.TryGetProperty("warnings", out _));

        var second = await CallAsync("mark_file", new { agent = "bob", file = "src/main.cs" });
        var warning = Assert.Single(second.GetProperty("warnings").EnumerateArray());
        Assert.Equal(("src/main.cs", "alice", "refactor", "edit"), (String(warning, "file"), String(warning, "marked_by"), String(warning, "reason"), String(warning, "task")));
        var mark = Assert.Single((await CallAsync("list_marks", new { files = "src/main.cs" })).GetProperty("marks").EnumerateArray());
        Assert.Equal(("alice", "edit", false), (String(mark, "agent"), String(mark, "task_id"), mark.GetProperty("is_lock").GetBoolean()));

        // the holder re-marking refreshes without a warning
        Assert.False((await CallAsync("mark_file", new { agent = "alice", file = "src/main.cs" })).TryGetProperty("warnings", out _));
    }

    [Fact]
    public async Task A_lock_has_one_holder_and_is_free_again_once_released()
    {
        await ConnectAsync("alice", "bob");
        var locked = await CallAsync("mark_file", new { agent = "alice", file = "lock:schema" });
        Assert.Equal(["lock:schema"], Strings(locked, "locks_acquired"));

        var conflict = await RefusedAsync("mark_file", new { agent = "bob", file = new[] { "notes.md", "lock:schema" } }, "LOCK_CONFLICT");
        Assert.Contains("alice", String(conflict, "message"), StringComparison.Ordinal);
        Assert.Empty((await CallAsync("list_marks", new { agent = "bob" })).GetProperty("marks").EnumerateArray()); // fail-fast: notes.md not marked either
        var held = Assert.Single((await CallAsync("list_marks", new { files = "lock:schema" })).GetProperty("marks").EnumerateArray());
        Assert.True(held.GetProperty("is_lock").GetBoolean());

        // bob cannot release alice's lock by name; alice can
        Assert.Equal(0, (await CallAsync("unmark_file", new { agent = "bob", file = "lock:schema" })).GetProperty("count").GetInt32());
        Assert.Equal(1, (await CallAsync("unmark_file", new { agent = "alice", file = "lock:schema" })).GetProperty("count").GetInt32());
        Assert.Equal(["lock:schema"], Strings(await CallAsync("mark_file", new { agent = "bob", file = "lock:schema" }), "locks_acquired"));
    }

    [Fact]
    public async Task Unmark_by_task_or_wildcard_releases_exactly_those_marks()
    {
        await ConnectAsync("alice", "bob");
        await CreateAsync("t1", "t2");
        await CallAsync("mark_file", new { agent = "alice", file = new[] { "a.cs", "b.cs" }, task = "t1" });
        await CallAsync("mark_file", new { agent = "bob", file = "c.cs", task = "t1" });
        await CallAsync("mark_file", new { agent = "alice", file = "d.cs", task = "t2" });

        var byTask = await CallAsync("unmark_file", new { agent = "alice", task = "t1" });
        Assert.Equal(3, byTask.GetProperty("count").GetInt32()); // a task's marks, whoever holds them
        Assert.Equal(["d.cs"], (await CallAsync("list_marks", new { agent = "alice" })).GetProperty("marks").EnumerateArray().Select(m => String(m, "file")));

        await CallAsync("mark_file", new { agent = "bob", file = "e.cs" });
        var wild = await CallAsync("unmark_file", new { agent = "alice", file = "*" });
        Assert.Equal(["d.cs"], wild.GetProperty("unmarked").EnumerateArray().Select(m => String(m, "file")));
        Assert.Single((await CallAsync("list_marks", new { agent = "bob" })).GetProperty("marks").EnumerateArray());

        await RefusedAsync("unmark_file", new { agent = "alice" }, "MISSING_REQUIRED_FIELD"); // file or task is required
        var noFilter = await RefusedAsync("list_marks", new { }, "INVALID_FIELD_VALUE");
        Assert.Equal("filter", String(noFilter, "field"));
    }

    [Fact]
    public async Task Mark_updates_shows_each_agent_what_changed_since_it_last_asked()
    {
        await ConnectAsync("alice", "bob");
        Assert.Empty((await CallAsync("mark_updates", new { agent = "bob" })).GetProperty("new_marks").EnumerateArray());

        await CallAsync("mark_file", new { agent = "alice", file = new[] { "x.cs", "lock:deploy" }, reason = "shipping" });
        var seen = await CallAsync("mark_updates", new { agent = "bob" });
        Assert.Equal(["lock:deploy", "x.cs"], seen.GetProperty("new_marks").EnumerateArray().Select(m => String(m, "file")).Order());
        Assert.All(seen.GetProperty("new_marks").EnumerateArray(), m => Assert.Equal(("alice", "shipping"), (String(m, "agent"), String(m, "reason"))));
        Assert.Empty(seen.GetProperty("removed_marks").EnumerateArray());

        // asked again: nothing new; then the release shows
        var again = await CallAsync("mark_updates", new { agent = "bob" });
        Assert.Empty(again.GetProperty("new_marks").EnumerateArray());
        Assert.True(again.GetProperty("sequence").GetInt64() >= seen.GetProperty("sequence").GetInt64());
        await CallAsync("unmark_file", new { agent = "alice", file = "x.cs" });
        var released = await CallAsync("mark_updates", new { agent = "bob" });
        var removed = Assert.Single(released.GetProperty("removed_marks").EnumerateArray());
        Assert.Equal(("x.cs", "alice"), (String(removed, "file"), String(removed, "agent")));

        // a newcomer sees the marks made after it connected, not the old ones
        await ConnectAsync("carol");
        Assert.Empty((await CallAsync("mark_updates", new { agent = "carol" })).GetProperty("new_marks").EnumerateArray());
        await RefusedAsync("mark_updates", new { agent = "ghost" }, "AGENT_NOT_FOUND");
    }
}
