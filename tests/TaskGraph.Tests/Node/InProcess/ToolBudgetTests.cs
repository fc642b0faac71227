using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskGraph.Core.Configuration;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// The context an agent pays, in tokens counted as UTF-8 characters / 4 of what goes over the wire: the tool list of each
/// profile (core at most 2,500, full at most 8,000) and the answers of one core loop (connect, claim next, thinking,
/// mark_file, complete: at most 1,200). The core profile lists exactly its ten tools and refuses the others as unknown,
/// naming the profile that has them.
/// </summary>
[Trait("Lane", "fast")]
public sealed class ToolBudgetTests : IAsyncLifetime
{
    private const int CoreListBudget = 2_500;
    private const int FullListBudget = 8_000;
    private const int CoreLoopBudget = 1_200;

    private static readonly string[] CoreTools = ["connect", "claim", "thinking", "update", "get", "list_tasks", "mark_file", "unmark_file", "mark_updates", "search"];

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private InProcessNode? _full;
    private InProcessNode? _core;

    private CancellationToken Ct => _timeout.Token;

    public async ValueTask InitializeAsync()
    {
        _full = await InProcessNode.StartSqliteAsync(Ct);
        _core = await InProcessNode.StartSqliteAsync(Ct, new TaskGraphConfig { Server = new ServerSettings { Tools = "core" } });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in new[] { _full, _core })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        _timeout.Dispose();
    }

    [Fact]
    public async Task The_core_profile_lists_exactly_its_ten_tools_within_2500_tokens()
    {
        var tools = await _core!.Client.ListToolsAsync(cancellationToken: Ct);
        Assert.Equal(CoreTools.Order(StringComparer.Ordinal), tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        var tokens = Tokens(tools);
        Assert.True(tokens <= CoreListBudget, $"core tools/list costs {tokens} tokens, budget {CoreListBudget}");
    }

    [Fact]
    public async Task The_full_profile_lists_every_tool_within_8000_tokens()
    {
        var tools = await _full!.Client.ListToolsAsync(cancellationToken: Ct);
        Assert.Superset(CoreTools.ToHashSet(), tools.Select(t => t.Name).ToHashSet());
        Assert.Contains(tools, t => t.Name == "create");
        Assert.True(tools.Count > CoreTools.Length, $"full lists {tools.Count} tools");
        var tokens = Tokens(tools);
        Assert.True(tokens <= FullListBudget, $"full tools/list costs {tokens} tokens for {tools.Count} tools, budget {FullListBudget}");
    }

    [Fact]
    public async Task A_tool_outside_the_core_profile_is_unknown_and_names_the_profile_that_has_it()
    {
        var envelope = await _core!.CallExpectErrorEnvelopeAsync("create", new { title = "hidden" }, Ct);
        Assert.Equal("UNKNOWN_TOOL", String(envelope, "code"));
        Assert.Contains("'full'", String(envelope, "message"), StringComparison.Ordinal);
        Assert.Equal("full", envelope.GetProperty("details").GetProperty("tool_profile").GetString());
        Assert.Equal("core", envelope.GetProperty("details").GetProperty("profile").GetString());

        // A core tool still answers, and nothing was created by the refused call.
        var list = await _core.CallAsync("list_tasks", new { }, Ct);
        Assert.Empty(Ids(list));
    }

    [Fact]
    public async Task One_core_loop_answers_within_1200_tokens()
    {
        var node = _full!;
        await node.CallAsync("create", new { id = "budget-task", title = "Write the parser for the manifest", description = "Read every line of the manifest into a record.", priority = 7 }, Ct);

        var answers = new List<(string Tool, CallToolResult Result)>
        {
            ("connect", await AnswerAsync(node.Client, "connect", new { worker_id = "budget-agent", tags = new[] { "backend" } })),
            ("claim", await AnswerAsync(node.Client, "claim", new { worker_id = "budget-agent" })),
            ("thinking", await AnswerAsync(node.Client, "thinking", new { agent = "budget-agent", thought = "reading the manifest format" })),
            ("mark_file", await AnswerAsync(node.Client, "mark_file", new { agent = "budget-agent", file = "src/parser.cs", task = "budget-task" })),
            ("update", await AnswerAsync(node.Client, "update", new { worker_id = "budget-agent", task = "budget-task", status = "completed" })),
        };

        Assert.Equal("budget-task", JsonDocument.Parse(ToolCalls.Text(answers[1].Result)).RootElement.GetProperty("task").GetProperty("id").GetString());
        Assert.Equal("completed", JsonDocument.Parse(ToolCalls.Text(answers[4].Result)).RootElement.GetProperty("status").GetString());

        // Structured content is the text's JSON again, never more: it is counted with the text.
        Assert.All(answers, a => Assert.Equal(ToolCalls.Text(a.Result), a.Result.StructuredContent?.GetRawText()));
        static int Length(CallToolResult r) => ToolCalls.Text(r).Length + (r.StructuredContent?.GetRawText().Length ?? 0);
        var tokens = answers.Sum(a => Length(a.Result)) / 4;
        Assert.True(tokens <= CoreLoopBudget, $"one core loop answers {tokens} tokens, budget {CoreLoopBudget}: {string.Join(", ", answers.Select(a => $"{a.Tool} {Length(a.Result) / 4}"))}");
    }

    /// <summary>The tools as listed on the wire (compact JSON), in tokens.</summary>
    private static int Tokens(IEnumerable<McpClientTool> tools) =>
        JsonSerializer.Serialize(tools.Select(t => t.ProtocolTool).ToList(), McpJsonUtilities.DefaultOptions).Length / 4;

    private async Task<CallToolResult> AnswerAsync(McpClient client, string tool, object args)
    {
        var result = await client.CallToolAsync(new CallToolRequestParams { Name = tool, Arguments = ToolCalls.ToArguments(args).ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value)) }, Ct);
        Assert.True(result.IsError is not true, $"{tool} failed: {ToolCalls.Text(result)}");
        return result;
    }
}
