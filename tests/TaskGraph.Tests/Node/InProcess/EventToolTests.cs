using System.Text.Json;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// <c>wait_for_events</c> and <c>pending_events</c> on one node through the real tools (the argument checks and the
/// timeout ported from the process-spawning WaitForEventsTests; its cross-node and cross-process cases stay there).
/// On the system clock: a wait's timeout is real time, so the waits here are short.
/// </summary>
[Trait("Lane", "fast")]
public sealed class EventToolTests : InProcessToolTests
{
    [Fact]
    public async Task Bad_arguments_are_refused_with_the_field_and_a_wait_with_no_news_times_out_with_its_cursor()
    {
        Assert.Equal("kinds", String(await RefusedAsync("wait_for_events", new { kinds = "tokens" }, "INVALID_FIELD_VALUE"), "field"));
        Assert.Equal("since", String(await RefusedAsync("wait_for_events", new { since = -1 }, "INVALID_FIELD_VALUE"), "field"));
        Assert.Equal("timeout_ms", String(await RefusedAsync("wait_for_events", new { timeout_ms = 500_000 }, "INVALID_FIELD_VALUE"), "field"));

        await CallAsync("create", new { id = "quiet", title = "Nothing else happens" });
        var quiet = await CallAsync("wait_for_events", new { timeout_ms = 200 });
        Assert.True(quiet.GetProperty("timed_out").GetBoolean());
        Assert.Empty(Events(quiet));
        var all = await CallAsync("wait_for_events", new { since = 0, timeout_ms = 0 });
        Assert.Equal(quiet.GetProperty("cursor").GetUInt64(), all.GetProperty("cursor").GetUInt64());
        Assert.Equal(("quiet", "create"), (String(Events(all).Single(), "id"), String(Events(all).Single(), "change")));
    }

    [Fact]
    public async Task A_waiting_call_returns_the_change_another_agent_makes_meanwhile()
    {
        var since = (await CallAsync("wait_for_events", new { timeout_ms = 0 })).GetProperty("cursor").GetUInt64();
        var waiting = CallAsync("wait_for_events", new { since, timeout_ms = 30_000 });
        await CallAsync("create", new { id = "announced", title = "Announce me" });

        var answer = await waiting;
        Assert.False(answer.GetProperty("timed_out").GetBoolean());
        var created = Assert.Single(Events(answer));
        Assert.Equal(("task", "announced", "create", "pending"), (String(created, "kind"), String(created, "id"), String(created, "change"), String(created, "status")));
        Assert.True(answer.GetProperty("cursor").GetUInt64() > since);
    }

    [Fact]
    public async Task A_worker_whose_task_was_taken_sees_pending_events_until_it_waits_for_them()
    {
        await ConnectAsync("ada", "bob");
        await CreateAsync("pend-1");
        var claimed = await CallAsync("claim", new { worker_id = "ada", task = "pend-1" });
        Assert.False(claimed.TryGetProperty("pending_events", out _), "ada's own claim is no event for ada: " + claimed.GetRawText());

        await CallAsync("claim", new { worker_id = "bob", task = "pend-1", force = true });
        JsonElement heartbeat = default;
        await UntilAsync(
            async () => (heartbeat = await CallAsync("thinking", new { agent = "ada", thought = "still here" })).TryGetProperty("pending_events", out _),
            "ada's heartbeat answer carries pending_events", Ct);
        Assert.Equal(1, heartbeat.GetProperty("pending_events").GetInt32());
        Assert.False((await CallAsync("thinking", new { agent = "bob", thought = "mine now" })).TryGetProperty("pending_events", out _));

        var seen = await CallAsync("wait_for_events", new { worker_id = "ada", since = 0, tasks = new[] { "pend-1" }, timeout_ms = 0 });
        Assert.Contains(Events(seen), e => String(e, "owner") == "bob");
        var after = await CallAsync("thinking", new { agent = "ada", thought = "seen it" });
        Assert.False(after.TryGetProperty("pending_events", out _), "after wait_for_events the count is cleared: " + after.GetRawText());
    }

    private static List<JsonElement> Events(JsonElement answer) => [.. answer.GetProperty("events").EnumerateArray()];
}
