using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// <c>log_metrics</c> and <c>get_metrics</c> through the real tools: additions per slot and to the cost, trimmed metrics on
/// the task, sums over several tasks, refusals that change nothing, and concurrent additions from many callers all
/// counted (the compare-and-swap re-reads and adds again). Runs on SQLite (fast lane) and on a single nats-server.
/// </summary>
public abstract class MetricsToolTests : InProcessToolTests
{
    [Fact]
    public async Task Log_metrics_adds_per_slot_and_to_the_cost_and_get_metrics_reads_them_back()
    {
        await CallAsync("create", new { id = "m-a", title = "metered" });
        var first = await CallAsync("log_metrics", new { agent = "alice", task = "m-a", cost_usd = 0.001, values = new[] { 300, 0, 150 } });
        Assert.True(first.GetProperty("success").GetBoolean());
        var second = await CallAsync("log_metrics", new { agent = "alice", task = "m-a", cost_usd = "0.002", values = new[] { 1 } });
        Assert.Equal(0.003, second.GetProperty("cost_usd").GetDouble(), 9);
        Assert.Equal([301L, 0, 150], second.GetProperty("metrics").EnumerateArray().Select(m => m.GetInt64()));

        var got = await CallAsync("get_metrics", new { task = "m-a" });
        Assert.Equal("m-a", String(got, "task"));
        Assert.Equal(0.003, got.GetProperty("cost_usd").GetDouble(), 9);
        Assert.Equal([301L, 0, 150, 0, 0, 0, 0, 0], got.GetProperty("metrics").EnumerateArray().Select(m => m.GetInt64()));

        // The task itself carries the totals (metrics trimmed of trailing zeros).
        var task = await CallAsync("get", new { task = "m-a" });
        Assert.Equal(0.003, task.GetProperty("cost_usd").GetDouble(), 9);
        Assert.Equal([301L, 0, 150], task.GetProperty("metrics").EnumerateArray().Select(m => m.GetInt64()));
    }

    [Fact]
    public async Task Get_metrics_sums_the_tasks_found_and_refuses_when_none_is()
    {
        await CallAsync("create", new { id = "m-b", title = "one" });
        await CallAsync("create", new { id = "m-c", title = "two" });
        await CallAsync("log_metrics", new { agent = "alice", task = "m-b", cost_usd = 1.5, values = new[] { 2, 4 } });
        await CallAsync("log_metrics", new { agent = "bob", task = "m-c", cost_usd = 0.5, values = new[] { 1, 1, 1 } });

        var sum = await CallAsync("get_metrics", new { task = new[] { "m-b", "m-c", "m-missing" } });
        Assert.Equal(["m-b", "m-c"], Strings(sum, "tasks"));
        Assert.Equal(2, sum.GetProperty("task_count").GetInt32());
        Assert.Equal(2.0, sum.GetProperty("cost_usd").GetDouble(), 9);
        Assert.Equal([3L, 5, 1, 0, 0, 0, 0, 0], sum.GetProperty("metrics").EnumerateArray().Select(m => m.GetInt64()));

        var none = await RefusedAsync("get_metrics", new { task = new[] { "m-nope", "m-neither" } }, "TASK_NOT_FOUND");
        Assert.Contains("No tasks found", String(none, "message"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"agent":"alice","task":"m-d","values":[1,2,3,4,5,6,7,8,9]}""", "values")]
    [InlineData("""{"agent":"alice","task":"m-d","values":[-1]}""", "values")]
    [InlineData("""{"agent":"alice","task":"m-d","values":[1.5]}""", "values")]
    [InlineData("""{"agent":"alice","task":"m-d","cost_usd":-2}""", "cost_usd")]
    [InlineData("""{"agent":"alice","task":"m-d","cost_usd":"lots"}""", "cost_usd")]
    public async Task Bad_metrics_are_refused_with_the_field_and_change_nothing(string args, string field)
    {
        await CallAsync("create", new { id = "m-d", title = "guarded" });
        var before = (await CallAsync("get", new { task = "m-d" })).GetRawText();
        var envelope = await RefusedAsync("log_metrics", args, "INVALID_FIELD_VALUE");
        Assert.Equal(field, String(envelope, "field"));
        Assert.Equal(before, (await CallAsync("get", new { task = "m-d" })).GetRawText());
    }

    [Fact]
    public async Task A_slot_that_would_overflow_is_refused_and_keeps_its_value()
    {
        await CallAsync("create", new { id = "m-f", title = "huge" });
        await CallAsync("log_metrics", new { agent = "alice", task = "m-f", values = new[] { long.MaxValue - 1 } });
        var envelope = await RefusedAsync("log_metrics", new { agent = "alice", task = "m-f", values = new[] { 2L } }, "INVALID_FIELD_VALUE");
        Assert.Equal("values", String(envelope, "field"));
        Assert.Equal(long.MaxValue - 1, (await CallAsync("get_metrics", new { task = "m-f" })).GetProperty("metrics")[0].GetInt64());
    }

    [Fact]
    public async Task Log_metrics_on_an_unknown_task_is_task_not_found()
    {
        var envelope = await RefusedAsync("log_metrics", new { agent = "alice", task = "m-ghost", values = new[] { 1 } }, "TASK_NOT_FOUND");
        Assert.Equal("task", String(envelope, "field"));
    }

    [Fact]
    public async Task Concurrent_additions_by_sixteen_callers_are_all_counted()
    {
        await CallAsync("create", new { id = "m-e", title = "contended" });
        const int Callers = 16;
        const int Each = 5;
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(c => Task.Run(async () =>
        {
            for (var i = 0; i < Each; i++)
            {
                await CallAsync("log_metrics", new { agent = $"w{c}", task = "m-e", cost_usd = 0.25, values = new[] { 1, c } });
            }
        })));

        var got = await CallAsync("get_metrics", new { task = "m-e" });
        var metrics = got.GetProperty("metrics").EnumerateArray().Select(m => m.GetInt64()).ToList();
        Assert.Equal(Callers * Each, metrics[0]);
        Assert.Equal(Enumerable.Range(0, Callers).Sum() * Each, metrics[1]);
        Assert.Equal(Callers * Each * 0.25, got.GetProperty("cost_usd").GetDouble(), 9);

        // Each addition is one change of kind "metrics" in the task's log.
        var events = await CallAsync("wait_for_events", new { since = 0, tasks = new[] { "m-e" }, timeout_ms = 0, limit = 500 });
        Assert.Equal(Callers * Each, events.GetProperty("events").EnumerateArray().Count(e => e.TryGetProperty("change", out var c) && c.GetString() == "metrics"));
    }
}
