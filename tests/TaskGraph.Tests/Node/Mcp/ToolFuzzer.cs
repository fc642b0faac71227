using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Node.Mcp;

/// <summary>
/// A seeded, bounded fuzz run through the real tools of a node. Valid calls (connect, create, claim, link, mark, ...)
/// build state up; hostile calls (wrong types, out-of-range and huge numbers, numeric strings with spaces, NUL and control
/// characters, long strings, arrays for strings and back, unknown tools, missing required arguments, deep JSON, non-object
/// arguments) hit every tool's schema. Every answer is checked: errors are envelopes with a known code other than
/// INTERNAL_ERROR, successes are compact JSON without nulls, and nothing shows a stack trace or a host path the call did
/// not itself contain. Violations are collected, not thrown, so one run reports them all.
/// </summary>
internal sealed class ToolFuzzer(McpClient client, int seed, IEnumerable<string> hostPaths)
{
    private static readonly HashSet<string> KnownCodes =
    [
        .. typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(c => c != ErrorCodes.InternalError),
    ];

    private static readonly HashSet<string> EnvelopeKeys = ["code", "message", "field", "details", "blocked_by", "suggestion"];

    private readonly Random _rng = new(seed);
    private readonly List<string> _forbidden = [.. hostPaths.Where(p => !string.IsNullOrEmpty(p)).Distinct(), "   at ", "Exception"];
    private readonly List<string> _workers = [];
    private readonly List<string> _tasks = [];
    private readonly string _prefix = $"fz{seed}";
    private List<Tool> _tools = [];
    private int _counter;

    /// <summary>Problems found (empty when the run is clean), each with the call that caused it.</summary>
    public List<string> Violations { get; } = [];

    /// <summary>Answers by code ("ok" for successes, "-32602" for protocol errors).</summary>
    public SortedDictionary<string, int> Outcomes { get; } = new(StringComparer.Ordinal);

    /// <summary>Total milliseconds spent per tool (valid and hostile calls together), to see where a run's time goes.</summary>
    public SortedDictionary<string, double> Milliseconds { get; } = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="calls"/> calls, about half valid and half hostile.</summary>
    public async Task RunAsync(int calls, CancellationToken cancellationToken)
    {
        _tools = [.. (await client.ListToolsAsync(cancellationToken: cancellationToken)).Select(t => t.ProtocolTool)];
        for (var i = 0; i < calls; i++)
        {
            var roll = _rng.NextDouble();
            if (roll < 0.04)
            {
                await MalformedAsync(cancellationToken);
                continue;
            }

            var (tool, args) = roll < 0.5 ? Valid() : Hostile();
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await CallAsync(tool, args, cancellationToken);
            Milliseconds[tool] = Milliseconds.GetValueOrDefault(tool) + System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    }

    /// <summary>Reads the store and returns broken invariants: claim limits, cycles, a second parent.</summary>
    public static async Task<List<string>> InvariantViolationsAsync(IRecordStore store, TaskGraphConfig config, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var tasks = (await store.ListAsync(RecordKeys.TaskPrefix, cancellationToken)).Select(e => RecordJson.Deserialize<TaskRecord>(e.Value)).ToList();
        var workers = (await store.ListAsync(RecordKeys.WorkerPrefix, cancellationToken)).Select(e => RecordJson.Deserialize<WorkerRecord>(e.Value)).ToList();
        foreach (var worker in workers)
        {
            var owned = tasks.Count(t => t.Owner == worker.Id);
            var limit = worker.MaxClaims > 0 ? worker.MaxClaims : config.Server.ClaimLimit;
            if (owned > limit)
            {
                problems.Add($"worker {worker.Id} owns {owned} tasks, over its claim limit {limit}");
            }
        }

        var edges = (await new GraphRecords(store).GetDependenciesAsync(cancellationToken)).Value.Edges;
        var graph = new DependencyGraph(edges, config.Dependencies);
        problems.AddRange(graph.Edges.Where(e => graph.WouldCycle(e.From, e.To, e.Type)).Select(e => $"edge {e.From} -> {e.To} ({e.Type}) is on a cycle"));
        problems.AddRange(edges.Where(e => e.Type == "contains").GroupBy(e => e.To).Where(g => g.Count() > 1).Select(g => $"task {g.Key} has {g.Count()} parents"));
        return problems;
    }

    private async Task CallAsync(string tool, JsonObject args, CancellationToken cancellationToken)
    {
        var request = args.ToJsonString();
        var arguments = args.ToDictionary(p => p.Key, p => p.Value is null ? JsonSerializer.SerializeToElement<object?>(null) : JsonSerializer.SerializeToElement(p.Value));
        CallToolResult result;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            result = await client.CallToolAsync(new CallToolRequestParams { Name = tool, Arguments = arguments }, timeout.Token);
        }
        catch (McpProtocolException ex)
        {
            Count($"protocol {(int)ex.ErrorCode}");
            Violations.Add($"{tool} {Short(request)}: JSON-RPC error {(int)ex.ErrorCode} {ex.Message}");
            return;
        }

        var text = result.Content.Count == 1 && result.Content[0] is TextContentBlock block ? block.Text : null;
        if (text is null)
        {
            Violations.Add($"{tool} {Short(request)}: answer is not one text item");
            return;
        }

        foreach (var marker in _forbidden.Where(m => text.Contains(m, StringComparison.Ordinal) && !request.Contains(m, StringComparison.Ordinal)))
        {
            Violations.Add($"{tool} {Short(request)}: answer contains '{marker}': {Short(text)}");
        }

        if (result.IsError is true)
        {
            CheckEnvelope(tool, request, text);
            return;
        }

        Count("ok");
        if (tool == "list_agents" && !text.StartsWith('{'))
        {
            return; // list_agents' markdown is raw text by the catalogue
        }

        JsonNode? body;
        try
        {
            body = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            Violations.Add($"{tool} {Short(request)}: answer is not JSON: {Short(text)}");
            return;
        }

        if (HasNull(body))
        {
            Violations.Add($"{tool} {Short(request)}: answer holds a null: {Short(text)}");
        }

        if (HasWhitespaceOutsideStrings(text))
        {
            Violations.Add($"{tool} {Short(request)}: answer is not compact: {Short(text)}");
        }

        Learn(tool, args, body as JsonObject);
    }

    private void CheckEnvelope(string tool, string request, string text)
    {
        JsonObject? envelope;
        try
        {
            envelope = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            envelope = null;
        }

        if (envelope?["code"] is not JsonValue codeValue || !codeValue.TryGetValue<string>(out var code))
        {
            Violations.Add($"{tool} {Short(request)}: error is not an envelope: {Short(text)}");
            return;
        }

        Count(code);
        if (!KnownCodes.Contains(code))
        {
            Violations.Add($"{tool} {Short(request)}: error code {code}: {Short(text)}");
        }

        if (envelope["message"] is not JsonValue m || !m.TryGetValue<string>(out var message) || string.IsNullOrWhiteSpace(message))
        {
            Violations.Add($"{tool} {Short(request)}: envelope without a message: {Short(text)}");
        }

        if (envelope["field"] is { } f && (f is not JsonValue fv || !fv.TryGetValue<string>(out _)))
        {
            Violations.Add($"{tool} {Short(request)}: envelope field is not a string: {Short(text)}");
        }

        foreach (var key in envelope.Select(p => p.Key).Where(k => !EnvelopeKeys.Contains(k)))
        {
            Violations.Add($"{tool} {Short(request)}: envelope has unknown key {key}");
        }
    }

    /// <summary>tools/call with params the SDK cannot bind: arguments not an object, name missing or not a string; the answer must be -32602.</summary>
    private async Task MalformedAsync(CancellationToken cancellationToken)
    {
        var tool = Pick(_tools).Name;
        JsonNode?[] badArguments = [new JsonArray(1, 2), JsonValue.Create("x"), JsonValue.Create(5), JsonValue.Create(true)];
        JsonNode parameters = _rng.Next(5) switch
        {
            0 => new JsonObject { ["arguments"] = new JsonObject() },
            4 => new JsonObject { ["name"] = string.Empty, ["arguments"] = new JsonObject() },
            // (a non-string name cannot be sent: the SDK's client reads it as a string for tracing; CallParamsFilterTests covers it)
            1 => new JsonObject { ["name"] = null, ["arguments"] = new JsonObject() },
            2 => new JsonArray("x"),
            _ => new JsonObject { ["name"] = tool, ["arguments"] = Pick(badArguments)!.DeepClone() },
        };
        var request = parameters.ToJsonString();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            await client.SendRequestAsync(new JsonRpcRequest { Method = RequestMethods.ToolsCall, Params = parameters }, timeout.Token);
            Violations.Add($"tools/call {request}: malformed params were answered as a success");
        }
        catch (McpProtocolException ex)
        {
            Count($"protocol {(int)ex.ErrorCode}");
            if (ex.ErrorCode != McpErrorCode.InvalidParams)
            {
                Violations.Add($"tools/call {request}: expected -32602, got {(int)ex.ErrorCode} {ex.Message}");
            }

            foreach (var marker in _forbidden.Where(m => ex.Message.Contains(m, StringComparison.Ordinal)))
            {
                Violations.Add($"tools/call {request}: error message contains '{marker}'");
            }
        }
    }

    private (string Tool, JsonObject Args) Valid()
    {
        var w = Worker();
        var t = TaskId();
        string[] files = ["src/a.cs", "src/b.cs", "docs/readme.md", "lock:db", "lock:deploy", "./src/../src/a.cs"];
        switch (_rng.Next(24))
        {
            case 0 or 1:
                return ("connect", _rng.Next(5) == 0 ? [] : new JsonObject { ["worker_id"] = $"{_prefix}-w{++_counter}", ["tags"] = _rng.Next(2) == 0 ? "backend" : new JsonArray("backend", "ops") });
            case 2 or 3 or 4:
                var create = new JsonObject { ["title"] = $"Task {++_counter} of the fuzz run", ["priority"] = _rng.Next(11) };
                if (_rng.Next(3) == 0)
                {
                    create["id"] = $"{_prefix}-t{_counter}";
                }

                if (_rng.Next(8) == 0 && t is not null)
                {
                    create["parent"] = t;
                }

                if (_rng.Next(4) == 0)
                {
                    create["needed_tags"] = "backend";
                }

                return ("create", create);
            case 5 or 6:
                return ("claim", t is null || _rng.Next(6) == 0 ? new JsonObject { ["worker_id"] = w } : new JsonObject { ["worker_id"] = w, ["task"] = t });
            case 7 or 8:
                string[] statuses = ["completed", "pending", "working", "failed", "cancelled"];
                return ("update", new JsonObject { ["worker_id"] = w, ["task"] = t, ["status"] = Pick(statuses), ["reason"] = "fuzz" });
            case 9:
                return ("update", new JsonObject { ["worker_id"] = w, ["task"] = t, ["title"] = "Renamed\ttitle", ["priority"] = "7", ["tags"] = new JsonArray("x") });
            case 10:
                string[] types = ["blocks", "follows", "contains", "relates-to"];
                return ("link", new JsonObject { ["from"] = t, ["to"] = TaskId(), ["type"] = Pick(types) });
            case 11:
                return ("unlink", new JsonObject { ["from"] = t, ["to"] = _rng.Next(3) == 0 ? "*" : TaskId() });
            case 12:
                return ("mark_file", new JsonObject { ["agent"] = w, ["file"] = _rng.Next(3) == 0 ? new JsonArray(Pick(files), Pick(files)) : Pick(files), ["task"] = t });
            case 13:
                return ("unmark_file", new JsonObject { ["agent"] = w, ["file"] = _rng.Next(2) == 0 ? "*" : Pick(files) });
            case 14:
                return ("thinking", new JsonObject { ["agent"] = w, ["thought"] = "reading\nthe code" });
            case 15:
                return ("mark_updates", new JsonObject { ["worker_id"] = w });
            case 16:
                JsonObject[] lists =
                [
                    new() { ["ready"] = true },
                    new() { ["status"] = new JsonArray("pending", "working") },
                    new() { ["format"] = "markdown", ["limit"] = 5 },
                    new() { ["limit"] = 3, ["offset"] = "2", ["sort_by"] = "priority" },
                    new() { ["agent"] = w, ["ready"] = true },
                    new() { ["parent"] = t, ["recursive"] = true },
                ];
                return ("list_tasks", Pick(lists));
            case 17:
                return ("get", new JsonObject { ["task"] = t, ["format"] = _rng.Next(3) == 0 ? "markdown" : "json" });
            case 18:
                return ("scan", new JsonObject { ["task"] = t, ["before"] = -1, ["after"] = -1, ["above"] = 1, ["below"] = "2" });
            case 19:
                string[] queries = ["fuzz", "Task*", "\"of the\"", "title:Renamed", "fuzz AND run", "NOT", "\"", "*", "a OR"];
                return ("search", new JsonObject { ["query"] = Pick(queries), ["limit"] = 5 });
            case 20:
                return _rng.Next(2) == 0 ? ("task_history", new JsonObject { ["task"] = t }) : ("project_history", new JsonObject { ["limit"] = 20, ["from"] = "2020-01-01" });
            case 21:
                return _rng.Next(2) == 0 ? ("list_agents", new JsonObject { ["stale_timeout"] = 0, ["task"] = t, ["depth"] = 1 }) : ("list_marks", new JsonObject { ["agent"] = w });
            case 22:
                return _rng.Next(3) switch
                {
                    0 => ("create_tree", new JsonObject
                    {
                        ["tree"] = new JsonObject { ["title"] = $"Tree {++_counter}", ["children"] = new JsonArray(new JsonObject { ["title"] = "a" }, new JsonObject { ["title"] = "b", ["priority"] = 9 }) },
                        ["sibling_type"] = "follows",
                    }),
                    1 => ("delete", new JsonObject { ["worker_id"] = w, ["task"] = t, ["cascade"] = true, ["force"] = _rng.Next(2) == 0 }),
                    _ => ("rename", new JsonObject { ["worker_id"] = w, ["task"] = t, ["new_id"] = $"{_prefix}-r{++_counter}" }),
                };
            default:
                return _rng.Next(3) switch
                {
                    0 => ("cleanup_stale", new JsonObject { ["timeout"] = 3600 }),
                    1 => ("disconnect", new JsonObject { ["worker_id"] = w }),
                    _ => ("relink", new JsonObject { ["prev_from"] = t, ["prev_to"] = TaskId(), ["from"] = TaskId(), ["to"] = TaskId() }),
                };
        }
    }

    private (string Tool, JsonObject Args) Hostile()
    {
        if (_rng.Next(25) == 0)
        {
            string[] unknown = ["get_skill", "no_such_tool", " ", "create\u0000", "CREATE", new string('t', 300)];
            return (Pick(unknown), new JsonObject { ["task"] = TaskId() });
        }

        var tool = Pick(_tools);
        var schema = JsonNode.Parse(tool.InputSchema.GetRawText())!.AsObject();
        var properties = schema["properties"] as JsonObject ?? [];
        var args = new JsonObject();
        foreach (var (name, _) in properties)
        {
            var roll = _rng.NextDouble();
            if (roll < 0.35)
            {
                continue; // missing, required or not
            }

            args[name] = roll < 0.6 ? Plausible(name) : HostileValue();
        }

        if (_rng.Next(5) == 0)
        {
            args[$"unknown_{_rng.Next(100)}"] = HostileValue();
        }

        // A long-poll left at its default would wait 30 s for news; the fuzz checks answers, not waiting.
        if (tool.Name == "wait_for_events" && args["timeout_ms"] is null)
        {
            args["timeout_ms"] = _rng.Next(200);
        }

        return (tool.Name, args);
    }

    /// <summary>A value of the right kind for a parameter name, so hostile values elsewhere meet a call that could otherwise work.</summary>
    private JsonNode? Plausible(string name) => name switch
    {
        "worker_id" or "agent" or "assignee" or "owner" => Worker(),
        "task" or "parent" or "from" or "to" or "prev_from" or "prev_to" or "ref" => TaskId(),
        "title" or "description" or "reason" or "thought" or "query" => "fuzz text",
        "priority" or "limit" or "offset" or "depth" or "points" or "before" or "after" or "above" or "below" => _rng.Next(-2, 12),
        "file" or "files" => "src/a.cs",
        _ => "x",
    };

    private JsonNode? HostileValue()
    {
        var longText = new string('x', _rng.Next(2) == 0 ? 70 : 100_001);
        JsonNode?[] values =
        [
            JsonNode.Parse("2147483648"), JsonNode.Parse("-2147483649"), JsonNode.Parse("9223372036854775807"), JsonNode.Parse("9223372036854775808"),
            JsonNode.Parse("1e30"), JsonNode.Parse("1.5"), JsonNode.Parse("-1"), JsonNode.Parse("0"), JsonNode.Parse("-0.0"),
            " 7 ", "7 ", "+7", "0x10", "1e3", "", " ", "\u0000", "a\u0000b", "\u001b[31mred", "\t\n", "\r", "\u007f", longText,
            "../../etc/passwd", "/etc/hosts", "lock:", "lock:\u0000", "*", "null", "true", "🚀 rocket", "\ud800", "é\u0301",
            new JsonArray(), new JsonArray(1), new JsonArray("a", 2), new JsonArray((JsonNode?)null), new JsonArray(new JsonArray()), new JsonArray("a", "b"),
            new JsonArray([.. Enumerable.Range(0, 1500).Select(i => (JsonNode?)$"t{i}")]),
            new JsonObject(), new JsonObject { ["a"] = 1 }, Deep(30),
            true, false, "yes", null,
        ];
        return Pick(values)?.DeepClone();
    }

    private static JsonNode Deep(int depth)
    {
        JsonNode node = "bottom";
        for (var i = 0; i < depth; i++)
        {
            node = i % 2 == 0 ? new JsonObject { ["n"] = node } : new JsonArray(node);
        }

        return node;
    }

    private void Learn(string tool, JsonObject args, JsonObject? body)
    {
        if (body is null)
        {
            return;
        }

        switch (tool)
        {
            case "connect" when body["worker_id"]?.GetValue<string>() is { } id:
                _workers.Add(id);
                break;
            case "create" when body["id"]?.GetValue<string>() is { } id:
                _tasks.Add(id);
                break;
            case "create_tree" when body["all_ids"] is JsonArray ids:
                _tasks.AddRange(ids.Select(i => i!.GetValue<string>()));
                break;
            case "rename" when body["new_id"]?.GetValue<string>() is { } id:
                _tasks.Remove(args["task"]?.GetValue<string>() ?? string.Empty);
                _tasks.Add(id);
                break;
            case "disconnect":
                _workers.Remove(args["worker_id"]?.GetValue<string>() ?? string.Empty);
                break;
        }
    }

    private string? Worker() => _workers.Count == 0 ? "nobody" : _workers[_rng.Next(_workers.Count)];

    private string? TaskId() => _tasks.Count == 0 ? "no-task" : _tasks[_rng.Next(_tasks.Count)];

    private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    private void Count(string outcome) => Outcomes[outcome] = Outcomes.GetValueOrDefault(outcome) + 1;

    private static bool HasNull(JsonNode? node) => node switch
    {
        null => true,
        JsonObject o => o.Any(p => HasNull(p.Value)),
        JsonArray a => a.Any(HasNull),
        _ => false,
    };

    private static bool HasWhitespaceOutsideStrings(string json)
    {
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }

    private static string Short(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text.Length > 300 ? text[..300] + "..." : text)
        {
            sb.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return sb.ToString();
    }
}
