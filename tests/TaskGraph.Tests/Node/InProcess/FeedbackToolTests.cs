using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using TaskGraph.Core.Configuration;
using TaskGraph.Node.Configuration;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// <c>give_feedback</c> and <c>list_feedback</c> on a node with <c>feedback.enabled: true</c> (the catalogue's
/// feedback_tests, in our own words): the markdown file beside the SQLite store, its header and entry lines, the
/// refusals, and appends that stay whole when agents give feedback at the same time. On a fake clock, so the entry
/// lines are exact.
/// </summary>
[Trait("Lane", "fast")]
public sealed partial class FeedbackToolTests : InProcessToolTests
{
    private const string Stamp = "2026-01-05T09:00:00Z";

    private readonly FakeTimeProvider _clock = new(InProcessNode.FakeEpoch);

    public static TheoryData<string> Categories => new() { "tool", "workflow", "config", "ux", "general" };

    public static TheoryData<string> Sentiments => new() { "positive", "negative", "neutral", "suggestion" };

    protected override FakeTimeProvider Clock => _clock;

    private string FeedbackFile => Path.Combine(Node.WorkDirectory!, "feedback.md");

    [Fact]
    public async Task Give_feedback_creates_the_file_with_its_header_and_answers_recorded()
    {
        Assert.False(File.Exists(FeedbackFile));
        var answer = await CallAsync("give_feedback", new { message = "claim without a task saved me a list_tasks call" });

        Assert.Equal("recorded", String(answer, "status"));
        Assert.Equal("feedback.md", String(answer, "file"));
        var text = await File.ReadAllTextAsync(FeedbackFile, Ct);
        Assert.StartsWith("# Agent Feedback\n", text, StringComparison.Ordinal);
        Assert.Contains("claim without a task saved me a list_tasks call", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_answer_names_the_file_without_a_host_path()
    {
        var answer = await CallAsync("give_feedback", new { message = "fine" });
        var file = String(answer, "file")!;
        Assert.False(Path.IsPathRooted(file), file);
        Assert.DoesNotContain(Path.GetTempPath(), answer.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_category_and_sentiment_an_entry_is_general_and_neutral()
    {
        await CallAsync("give_feedback", new { message = "no opinion" });
        Assert.Contains($"---\n\n### {Stamp} | general | neutral\n\nno opinion\n", await File.ReadAllTextAsync(FeedbackFile, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_tool_and_task_are_written_as_lines_of_their_own()
    {
        await CallAsync("give_feedback", new { message = "the reason field was cut", agent_id = "HappyTurtle", tool_name = "update", task_id = "parse-manifest", category = "tool", sentiment = "negative" });

        var text = await File.ReadAllTextAsync(FeedbackFile, Ct);
        Assert.Contains(
            $"### {Stamp} | tool | negative\n\n- **Agent:** HappyTurtle\n- **Tool:** update\n- **Task:** parse-manifest\n\nthe reason field was cut\n",
            text,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lines_for_agent_tool_and_task_are_left_out_when_not_given()
    {
        await CallAsync("give_feedback", new { message = "only a tool", tool_name = "claim" });
        var text = await File.ReadAllTextAsync(FeedbackFile, Ct);
        Assert.Contains("- **Tool:** claim\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("**Agent:**", text, StringComparison.Ordinal);
        Assert.DoesNotContain("**Task:**", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_explicit_category_and_sentiment_are_recorded()
    {
        await CallAsync("give_feedback", new { message = "the kanban board states fit us", category = "workflow", sentiment = "positive" });
        Assert.Contains($"### {Stamp} | workflow | positive\n", await File.ReadAllTextAsync(FeedbackFile, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Suggestion_is_a_sentiment()
    {
        var answer = await CallAsync("give_feedback", new { message = "a dry-run flag for delete", category = "ux", sentiment = "suggestion" });
        Assert.Equal("recorded", String(answer, "status"));
        Assert.Contains("| ux | suggestion", await File.ReadAllTextAsync(FeedbackFile, Ct), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Categories))]
    public async Task Every_category_is_accepted(string category)
    {
        await CallAsync("give_feedback", new { message = "m", category });
        Assert.Contains($"| {category} | neutral", await File.ReadAllTextAsync(FeedbackFile, Ct), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Sentiments))]
    public async Task Every_sentiment_is_accepted(string sentiment)
    {
        await CallAsync("give_feedback", new { message = "m", sentiment });
        Assert.Contains($"| general | {sentiment}", await File.ReadAllTextAsync(FeedbackFile, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_message_is_refused_naming_message()
    {
        var envelope = await RefusedAsync("give_feedback", new { category = "tool" }, "MISSING_REQUIRED_FIELD");
        Assert.Equal("message", String(envelope, "field"));
        Assert.False(File.Exists(FeedbackFile));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t ")]
    public async Task An_empty_or_blank_message_is_refused_as_empty(string message)
    {
        var envelope = await RefusedAsync("give_feedback", new { message }, "INVALID_FIELD_VALUE");
        Assert.Equal("message", String(envelope, "field"));
        Assert.Contains("empty", String(envelope, "message"), StringComparison.Ordinal);
        Assert.False(File.Exists(FeedbackFile));
    }

    [Fact]
    public async Task An_unknown_category_is_refused_naming_the_value()
    {
        var envelope = await RefusedAsync("give_feedback", new { message = "m", category = "bugs" }, "INVALID_FIELD_VALUE");
        Assert.Equal("category", String(envelope, "field"));
        Assert.Contains("'bugs'", String(envelope, "message"), StringComparison.Ordinal);
        Assert.Contains("tool, workflow, config, ux, general", String(envelope, "message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_sentiment_is_refused_naming_the_value()
    {
        var envelope = await RefusedAsync("give_feedback", new { message = "m", sentiment = "furious" }, "INVALID_FIELD_VALUE");
        Assert.Equal("sentiment", String(envelope, "field"));
        Assert.Contains("'furious'", String(envelope, "message"), StringComparison.Ordinal);
        Assert.False(File.Exists(FeedbackFile));
    }

    [Fact]
    public async Task List_feedback_before_any_feedback_answers_empty_content_and_says_so()
    {
        var listed = await CallAsync("list_feedback");
        Assert.Equal(string.Empty, String(listed, "content"));
        Assert.Equal("feedback.md", String(listed, "file"));
        Assert.Equal("No feedback recorded yet.", String(listed, "message"));
    }

    [Fact]
    public async Task List_feedback_answers_the_file_and_no_message()
    {
        await CallAsync("give_feedback", new { message = "first" });
        var listed = await CallAsync("list_feedback");
        Assert.Equal(await File.ReadAllTextAsync(FeedbackFile, Ct), String(listed, "content"));
        Assert.Contains("first", String(listed, "content"), StringComparison.Ordinal);
        Assert.False(listed.TryGetProperty("message", out _));
    }

    [Fact]
    public async Task Three_entries_have_one_header_and_three_separators()
    {
        foreach (var message in new[] { "one", "two", "three" })
        {
            await CallAsync("give_feedback", new { message });
        }

        var content = String(await CallAsync("list_feedback"), "content")!;
        Assert.Equal(1, Count(content, "# Agent Feedback"));
        Assert.Equal(3, Separator().Matches(content).Count);
        Assert.True(content.IndexOf("one", StringComparison.Ordinal) < content.IndexOf("three", StringComparison.Ordinal), "entries stay in order");
    }

    [Fact]
    public async Task The_header_is_written_once_over_five_calls()
    {
        for (var i = 0; i < 5; i++)
        {
            await CallAsync("give_feedback", new { message = $"entry {i}" });
        }

        var text = await File.ReadAllTextAsync(FeedbackFile, Ct);
        Assert.Equal(1, Count(text, "# Agent Feedback"));
        Assert.Equal(5, Count(text, $"### {Stamp} |"));
    }

    [Fact]
    public async Task Parallel_feedback_gives_every_entry_whole_and_one_header()
    {
        const int Agents = 12;
        await Task.WhenAll(Enumerable.Range(0, Agents).Select(i =>
            CallAsync("give_feedback", new { message = $"parallel entry {i:00} with a longer text so that a torn write would show", agent_id = $"agent-{i:00}" })));

        var text = await File.ReadAllTextAsync(FeedbackFile, Ct);
        Assert.Equal(1, Count(text, "# Agent Feedback"));
        Assert.Equal(Agents, Separator().Matches(text).Count);
        for (var i = 0; i < Agents; i++)
        {
            Assert.Contains($"- **Agent:** agent-{i:00}\n\nparallel entry {i:00} with a longer text so that a torn write would show\n", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Enabled_feedback_adds_exactly_the_two_feedback_tools()
    {
        var names = (await Node.Client.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name).ToList();
        Assert.Equal(["give_feedback", "list_feedback"], names.Where(n => n.Contains("feedback", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Turned_off_by_a_reload_the_tools_disappear_and_answer_unknown_tool_and_come_back_when_turned_on()
    {
        var enabled = Node.Config.Loaded;
        Node.Config.Replace(enabled with { FeedbackEnabled = false });

        var names = (await Node.Client.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name).ToList();
        Assert.DoesNotContain("give_feedback", names);
        Assert.DoesNotContain("list_feedback", names);
        var envelope = await RefusedAsync("give_feedback", new { message = "hidden" }, "UNKNOWN_TOOL");
        Assert.StartsWith("Unknown tool: give_feedback", String(envelope, "message"), StringComparison.Ordinal);
        await RefusedAsync("list_feedback", null, "UNKNOWN_TOOL");
        Assert.False(File.Exists(FeedbackFile));

        Node.Config.Replace(enabled);
        Assert.Equal("recorded", String(await CallAsync("give_feedback", new { message = "back" }), "status"));
    }

    private protected override Task<InProcessNode> StartNodeAsync(TaskGraphConfig config, FakeTimeProvider? clock, CancellationToken cancellationToken) =>
        InProcessNode.StartSqliteAsync(LoadedConfig.Of(config) with { FeedbackEnabled = true }, cancellationToken, clock);

    private static int Count(string text, string needle) => Regex.Matches(text, Regex.Escape(needle)).Count;

    [GeneratedRegex("^---$", RegexOptions.Multiline)]
    private static partial Regex Separator();
}
