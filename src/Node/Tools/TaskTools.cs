using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Queries;
using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Records;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Tasks;
using TaskGraph.Core.Workflows;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Tools;

/// <summary>Task tools: create, create_tree, get, list_tasks, update, claim, delete, rename, scan, search.</summary>
[McpServerToolType]
internal sealed class TaskTools(ServedGraphs served)
{
    private readonly GraphRuntime _graph = served.Current.Runtime;

    [McpServerTool(Name = "create", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Create a task. Needs a title or a description (a missing title is taken from the description's first line).")]
    public async Task<CallToolResult> CreateAsync(
        [Description("Task id (1..64 chars; generated if omitted).")] string? id = null,
        [Description("Short title (under 80 chars).")] string? title = null,
        [Description("Description (markdown).")] string? description = null,
        [Description("Parent task id.")] string? parent = null,
        [Description("Priority 0..10 (default 5).")][ArgShape(ArgShape.Integer, Default = 5)] JsonElement? priority = null,
        [Description("Story points.")][Range(0, int.MaxValue)] int? points = null,
        [Description("Estimate in ms.")][Range(0, long.MaxValue)] long? time_estimate_ms = null,
        [Description("Tags.")][ArgShape(ArgShape.StringOrArray)] JsonElement? tags = null,
        [Description("Phase.")] string? phase = null,
        [Description("Tags a claimant needs ALL of.")][ArgShape(ArgShape.StringOrArray)] JsonElement? needed_tags = null,
        [Description("Tags a claimant needs ONE of.")][ArgShape(ArgShape.StringOrArray)] JsonElement? wanted_tags = null,
        [Description("Who (recorded).")] string? worker_id = null,
        CancellationToken cancellationToken = default)
    {
        var result = await _graph.Tasks.CreateAsync(
            new CreateTaskRequest
            {
                Id = Args.OptionalString(id, "id", 200),
                Title = title,
                Description = description,
                Parent = Args.OptionalString(parent, "parent", 200),
                Priority = priority is null ? null : Args.Priority(priority),
                Points = points,
                TimeEstimateMs = time_estimate_ms,
                Tags = Args.StringOrArray(tags, "tags"),
                Phase = Args.OptionalString(phase, "phase", 200),
                NeededTags = Args.StringOrArray(needed_tags, "needed_tags"),
                WantedTags = Args.StringOrArray(wanted_tags, "wanted_tags"),
                Actor = worker_id,
            },
            cancellationToken);
        var o = new JsonObject
        {
            ["id"] = result.Task.Id,
            ["title"] = result.Task.Title,
            ["description"] = result.Task.Description,
            ["status"] = result.Task.Status,
            ["phase"] = result.Task.Phase,
            ["priority"] = result.Task.Priority == 5 ? null : result.Task.Priority,
            ["created_at"] = result.Task.CreatedAt,
        };
        Warnings(o, result.PhaseWarning, result.TagWarnings);
        if (result.TitleWarning is not null)
        {
            o["title_warning"] = result.TitleWarning;
        }

        return ToolResults.Json(o);
    }

    [McpServerTool(Name = "create_tree", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Create a tree of tasks. Node: {id?, title, description?, priority?, tags?, phase?, children?[]} or {ref: existing-id, children?[]}. Edges: child_type to children, sibling_type between siblings (follows = sequence).")]
    public async Task<CallToolResult> CreateTreeAsync(
        [Description("The root node.")][ArgShape(ArgShape.Object)] JsonElement? tree = null,
        [Description("Existing parent of the root.")] string? parent = null,
        [Description("Parent-child type (default contains).")][DefaultValue("contains")] string? child_type = null,
        [Description("Type between consecutive siblings.")] string? sibling_type = null,
        [Description("Who (recorded).")] string? worker_id = null,
        CancellationToken cancellationToken = default)
    {
        if (tree is null || tree.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            throw TaskGraphException.Missing("tree");
        }

        var root = ParseNode(tree.Value, "tree", 0);
        var result = await _graph.Tasks.CreateTreeAsync(root, Args.OptionalString(parent, "parent", 200), child_type ?? _graph.Config.Current.ParentType, Args.OptionalString(sibling_type, "sibling_type", 64), worker_id, cancellationToken);
        var o = new JsonObject
        {
            ["root"] = TaskJson.Task(result.Root),
            ["all_ids"] = TaskJson.Strings(result.AllIds),
            ["count"] = result.AllIds.Count,
        };
        if (result.PhaseWarnings.Count > 0)
        {
            o["phase_warnings"] = TaskJson.Strings(result.PhaseWarnings);
        }

        if (result.TagWarnings.Count > 0)
        {
            o["tag_warnings"] = TaskJson.Strings(result.TagWarnings);
        }

        return ToolResults.Json(o);
    }

    [McpServerTool(Name = "get", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("One task, with blocked_by (unfinished predecessors), parent and children.")]
    public async Task<CallToolResult> GetAsync(
        [Description("Task id.")] string? task = null,
        [Description("json (default) or markdown.")] string? format = null,
        CancellationToken cancellationToken = default)
    {
        var detail = await _graph.TaskQueries.GetAsync(Args.RequiredString(task, "task", 200), QueryScope.Everything, cancellationToken);
        var (record, blockedBy) = (detail.Task, detail.BlockedBy);
        if (IsMarkdown(format))
        {
            var sb = new StringBuilder();
            sb.AppendLine($"# {record.Title}").AppendLine();
            sb.AppendLine($"- id: `{record.Id}`").AppendLine($"- status: {record.Status}");
            if (record.Owner is not null)
            {
                sb.AppendLine($"- owner: {record.Owner}");
            }

            if (blockedBy.Count > 0)
            {
                sb.AppendLine($"- blocked by: {string.Join(", ", blockedBy)}");
            }

            if (record.Description is not null)
            {
                sb.AppendLine().AppendLine(record.Description);
            }

            return ToolResults.Json(new { format = "markdown", content = sb.ToString() });
        }

        var o = TaskJson.Task(record);
        AttachmentJson.AddTo(o, record);
        if (blockedBy.Count > 0)
        {
            o["blocked_by"] = TaskJson.Strings(blockedBy);
        }

        if (detail.Parent is not null)
        {
            o["parent"] = detail.Parent;
        }

        if (detail.Children.Count > 0)
        {
            o["children"] = TaskJson.Strings(detail.Children);
        }

        return ToolResults.Json(o);
    }

    [McpServerTool(Name = "list_tasks", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("List tasks. ready=true: claimable tasks, best first. Page with limit/offset (has_more).")]
    public async Task<CallToolResult> ListTasksAsync(
        [Description("Status(es).")][ArgShape(ArgShape.StringOrArray)] JsonElement? status = null,
        [Description("Only tasks ready to claim.")] bool? ready = null,
        [Description("Only blocked tasks.")] bool? blocked = null,
        [Description("Only owned tasks.")] bool? claimed = null,
        [Description("Only tasks owned by this worker.")] string? owner = null,
        [Description("Children of this task ('null': roots).")] string? parent = null,
        [Description("With parent: all descendants.")] bool? recursive = null,
        [Description("Only tasks this worker's tags qualify for.")] string? agent = null,
        [Description("ANY of these tags.")][ArgShape(ArgShape.StringOrArray)] JsonElement? tags_any = null,
        [Description("ALL of these tags.")][ArgShape(ArgShape.StringOrArray)] JsonElement? tags_all = null,
        [Description("priority, created_at or updated_at.")][DefaultValue("created_at")] string? sort_by = null,
        [Description("asc or desc.")] string? sort_order = null,
        [Description("Page size.")][Range(0, 1000)] int? limit = null,
        [Description("Skip this many.")][Range(0, int.MaxValue)][DefaultValue(0)] int? offset = null,
        [Description("Only this phase.")] string? phase = null,
        [Description("json (default) or markdown.")] string? format = null,
        CancellationToken cancellationToken = default)
    {
        var page = await _graph.TaskQueries.ListAsync(
            new TaskListQuery
            {
                Statuses = Args.StringOrArray(status, "status"),
                Ready = ready ?? false,
                Blocked = blocked ?? false,
                Claimed = claimed ?? false,
                Owner = owner,
                Parent = parent,
                Recursive = recursive ?? false,
                TagsAny = Args.StringOrArray(tags_any, "tags_any"),
                TagsAll = Args.StringOrArray(tags_all, "tags_all"),
                Phase = phase,
                SortBy = sort_by,
                SortOrder = sort_order,
                Limit = limit,
                Offset = offset ?? 0,
            },
            agent,
            QueryScope.Everything,
            cancellationToken);
        if (IsMarkdown(format))
        {
            var lines = page.Tasks.Select(t => TaskJson.MarkdownLine(t.Task, t.BlockedBy.Count)).ToList();
            var content = lines.Count == 0 ? "_No tasks._" : string.Join('\n', lines);
            if (page.HasMore)
            {
                content += $"\n\n*More results available. Use offset={page.Offset + page.Tasks.Count} to see next page.*";
            }

            return ToolResults.Json(new { format = "markdown", content });
        }

        var tasks = new JsonArray();
        foreach (var t in page.Tasks)
        {
            var o = TaskJson.Task(t.Task);
            if (t.BlockedBy.Count > 0)
            {
                o["blocked_by"] = TaskJson.Strings(t.BlockedBy);
            }

            tasks.Add(o);
        }

        return ToolResults.Json(new JsonObject
        {
            ["tasks"] = tasks,
            ["has_more"] = page.HasMore,
            ["offset"] = page.Offset,
            ["limit"] = page.Limit,
        });
    }

    [McpServerTool(Name = "update", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Change a task's status (workflow transitions; a timed state claims it), phase, assignee or fields. Only the owner, unless force. Answers the tasks it unblocked.")]
    public async Task<CallToolResult> UpdateAsync(
        [Description("Your worker id.")] string? worker_id = null,
        [Description("Task id.")] string? task = null,
        [Description("New status.")] string? status = null,
        [Description("New phase.")] string? phase = null,
        [Description("Assign to this worker (status becomes assigned).")] string? assignee = null,
        [Description("New title.")] string? title = null,
        [Description("New description.")] string? description = null,
        [Description("New priority 0..10.")][ArgShape(ArgShape.Integer)] JsonElement? priority = null,
        [Description("New story points.")][Range(0, int.MaxValue)] int? points = null,
        [Description("Tags (replaces).")][ArgShape(ArgShape.StringOrArray)] JsonElement? tags = null,
        [Description("Needed tags (replaces).")][ArgShape(ArgShape.StringOrArray)] JsonElement? needed_tags = null,
        [Description("Wanted tags (replaces).")][ArgShape(ArgShape.StringOrArray)] JsonElement? wanted_tags = null,
        [Description("New time estimate in ms.")][Range(0, long.MaxValue)] long? time_estimate_ms = null,
        [Description("Why (in history).")] string? reason = null,
        [Description("Override another owner and unfinished dependencies (not tags, transitions or the claim limit).")][DefaultValue(false)] bool? force = null,
        [Description("Alias of worker_id.")] string? agent = null,
        [Description("Attach with this update (they count for its gates): [{type, content, name?, mime?, mode?}].")][ArgShape(ArgShape.ObjectArray)] JsonElement? attachments = null,
        [Description("Prompts in the answer: caller (default), all or none.")] string? prompts = null,
        [Description("With a terminal status (e.g. cancelled): move every unfinished descendant there too.")][DefaultValue(false)] bool? cascade = null,
        CancellationToken cancellationToken = default)
    {
        var result = await _graph.Tasks.UpdateAsync(
            new UpdateTaskRequest
            {
                WorkerId = Args.WorkerId(worker_id, agent)!,
                TaskId = Args.RequiredString(task, "task", 200),
                Status = Args.OptionalString(status, "status", 64),
                Phase = Args.OptionalString(phase, "phase", 200),
                Assignee = Args.OptionalString(assignee, "assignee", 200),
                Title = title,
                Description = description,
                Priority = priority is null ? null : Args.Priority(priority),
                Points = points,
                Tags = tags is null ? null : Args.StringOrArray(tags, "tags"),
                NeededTags = needed_tags is null ? null : Args.StringOrArray(needed_tags, "needed_tags"),
                WantedTags = wanted_tags is null ? null : Args.StringOrArray(wanted_tags, "wanted_tags"),
                TimeEstimateMs = time_estimate_ms,
                Reason = reason,
                Force = force ?? false,
                InlineAttachments = Args.Attachments(attachments, "attachments"),
                Prompts = PromptMode(prompts),
                Cascade = cascade ?? false,
            },
            cancellationToken);
        var o = TaskJson.Task(result.Task);
        if (result.AttachmentsAdded.Count > 0)
        {
            o["attachments_added"] = new JsonArray([.. result.AttachmentsAdded.Select(a => (JsonNode)AttachmentJson.Added(a))]);
        }

        if (result.AttachmentWarnings.Count > 0)
        {
            o["attachment_warnings"] = TaskJson.Strings(result.AttachmentWarnings);
        }

        if (result.GateWarnings.Count > 0)
        {
            o["gate_warnings"] = TaskJson.Strings(result.GateWarnings);
        }

        AddPrompts(o, result.Prompts);

        if (result.Unblocked.Count > 0)
        {
            o["unblocked"] = TaskJson.Strings(result.Unblocked);
        }

        if (result.AutoAdvanced.Count > 0)
        {
            o["auto_advanced"] = TaskJson.Strings(result.AutoAdvanced);
        }

        if (result.RolledUp.Count > 0)
        {
            o["rolled_up"] = TaskJson.Strings(result.RolledUp);
        }

        if (result.Cascaded.Count > 0)
        {
            o["cascaded"] = TaskJson.Strings(result.Cascaded);
        }

        Warnings(o, result.PhaseWarning, result.TagWarnings);
        if (result.AftermathWarning is not null)
        {
            o["warning"] = result.AftermathWarning;
        }

        return ToolResults.Json(o);
    }

    [McpServerTool(Name = "claim", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Claim a task (it moves to the first timed state and becomes yours). Without task: the best ready task you qualify for, or NO_READY_TASK. Fails when a live worker owns it, when blocked (DEPENDENCY_NOT_SATISFIED) or at your claim limit.")]
    public async Task<CallToolResult> ClaimAsync(
        [Description("Your worker id.")] string? worker_id = null,
        [Description("Task id (omit: next ready).")] string? task = null,
        [Description("Take over from a live owner or past unfinished predecessors.")] bool? force = null,
        [Description("Alias of worker_id.")] string? agent = null,
        [Description("Without task: ANY of these tags.")][ArgShape(ArgShape.StringOrArray)] JsonElement? tags_any = null,
        [Description("Without task: this phase.")] string? phase = null,
        [Description("Without task: children of this task.")] string? parent = null,
        [Description("Prompts in the answer: caller (default), all or none.")] string? prompts = null,
        [Description("Files to mark for the task as you claim it (warns when others mark them).")][ArgShape(ArgShape.StringOrArray)] JsonElement? files = null,
        CancellationToken cancellationToken = default)
    {
        var workerId = Args.WorkerId(worker_id, agent)!;
        var promptMode = PromptMode(prompts);
        var taskId = Args.OptionalString(task, "task", 200);
        if (taskId is null && force == true)
        {
            throw TaskGraphException.Invalid("force", "force needs a task: claim without a task only takes ready tasks");
        }

        // A held lock refuses the claim before it is made, so a refused call leaves nothing behind.
        var marks = Args.StringOrArray(files, "files", maxLength: Limits.PathLength);
        if (marks.Count > 0)
        {
            await _graph.Marks.CheckAsync(workerId, marks, "files", cancellationToken);
        }

        var result = taskId is not null
            ? await _graph.Tasks.ClaimAsync(workerId, taskId, force ?? false, promptMode, cancellationToken)
            : (await _graph.ClaimNext.ClaimNextAsync(
                new ClaimNextRequest
                {
                    WorkerId = workerId,
                    TagsAny = Args.StringOrArray(tags_any, "tags_any"),
                    Phase = Args.OptionalString(phase, "phase", 200),
                    Parent = Args.OptionalString(parent, "parent", 200),
                    Prompts = promptMode,
                },
                cancellationToken)).Claim;
        var t = result.Task;
        var answer = new JsonObject
        {
            ["success"] = true,
            ["task"] = new JsonObject
            {
                ["id"] = t.Id,
                ["title"] = t.Title,
                ["status"] = t.Status,
                ["worker_id"] = t.Owner,
                ["claimed_at"] = t.ClaimedAt,
            },
        };
        AddPrompts(answer, result.Prompts);
        if (marks.Count > 0)
        {
            await MarkClaimedFilesAsync(answer, workerId, t.Id, marks, cancellationToken);
        }

        return ToolResults.Json(answer);
    }

    /// <summary>
    /// Marks the files of a claim that landed. The claim stands whatever happens here, so a failure (a lock taken since
    /// the check) is reported in the answer, not as the call's error.
    /// </summary>
    private async Task MarkClaimedFilesAsync(JsonObject answer, string workerId, string taskId, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        try
        {
            var marked = await _graph.Marks.MarkAsync(workerId, files, taskId, "claimed with the task", cancellationToken);
            answer["marked"] = TaskJson.Strings(marked.Marked);
            if (marked.Warnings.Count > 0)
            {
                answer["file_warnings"] = MarkJson.Warnings(marked.Warnings);
            }
        }
        catch (TaskGraphException ex)
        {
            answer["mark_error"] = new JsonObject { ["code"] = ex.Code, ["message"] = ex.Message };
        }
    }

    [McpServerTool(Name = "delete", Destructive = true, Idempotent = false, OpenWorld = false)]
    [Description("Soft-delete a task (kept for history); obliterate=true removes it. Children need cascade, another's claim needs force.")]
    public async Task<CallToolResult> DeleteAsync(
        [Description("Your worker id.")] string? worker_id = null,
        [Description("Task id.")] string? task = null,
        [Description("Also delete all descendants.")][DefaultValue(false)] bool? cascade = null,
        [Description("Why (recorded).")] string? reason = null,
        [Description("Remove for good.")][DefaultValue(false)] bool? obliterate = null,
        [Description("Even if another worker owns it.")][DefaultValue(false)] bool? force = null,
        [Description("Alias of worker_id.")] string? agent = null,
        CancellationToken cancellationToken = default)
    {
        var soft = await _graph.Tasks.DeleteAsync(
            Args.WorkerId(worker_id, agent)!, Args.RequiredString(task, "task", 200), cascade ?? false, reason, obliterate ?? false, force ?? false, cancellationToken);
        return ToolResults.Json(new { success = true, soft_deleted = soft });
    }

    [McpServerTool(Name = "rename", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Rename a task id; every reference (dependencies, file marks, history) follows.")]
    public async Task<CallToolResult> RenameAsync(
        [Description("Your worker id.")] string? worker_id = null,
        [Description("Current task id.")] string? task = null,
        [Description("New task id (1..64 characters).")] string? new_id = null,
        [Description("Alias of worker_id.")] string? agent = null,
        CancellationToken cancellationToken = default)
    {
        var oldId = Args.RequiredString(task, "task", 200);
        var newId = Args.RequiredString(new_id, "new_id", 200);
        await _graph.Tasks.RenameAsync(Args.WorkerId(worker_id, agent)!, oldId, newId, cancellationToken);
        return ToolResults.Json(new { success = true, old_id = oldId, new_id = newId });
    }

    [McpServerTool(Name = "scan", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("A task's neighbourhood: before/after (predecessors/successors), above (parents), below (descendants); depth 0 none, N, -1 all.")]
    public Task<CallToolResult> ScanAsync(
        [Description("Task id.")] string? task = null,
        [Description("Depth.")][Range(-1, int.MaxValue)][DefaultValue(0)] int? before = null,
        [Description("Depth.")][Range(-1, int.MaxValue)][DefaultValue(0)] int? after = null,
        [Description("Depth.")][Range(-1, int.MaxValue)][DefaultValue(0)] int? above = null,
        [Description("Depth.")][Range(-1, int.MaxValue)][DefaultValue(0)] int? below = null,
        [Description("json (default) or markdown.")] string? format = null)
    {
        var scan = _graph.TaskQueries.Scan(Args.RequiredString(task, "task", 200), before ?? 0, after ?? 0, above ?? 0, below ?? 0, QueryScope.Everything);
        if (IsMarkdown(format))
        {
            var sb = new StringBuilder();
            sb.AppendLine(TaskJson.MarkdownLine(scan.Root, 0));
            foreach (var (name, list) in new[] { ("Before", scan.Before), ("After", scan.After), ("Above", scan.Above), ("Below", scan.Below) })
            {
                if (list.Count > 0)
                {
                    sb.AppendLine().AppendLine($"## {name}");
                    foreach (var t in list)
                    {
                        sb.AppendLine(TaskJson.MarkdownLine(t, 0));
                    }
                }
            }

            return Task.FromResult(ToolResults.Json(new { format = "markdown", content = sb.ToString() }));
        }

        var o = new JsonObject { ["root"] = TaskJson.Task(scan.Root) };
        AddTasks(o, "before", scan.Before, before);
        AddTasks(o, "after", scan.After, after);
        AddTasks(o, "above", scan.Above, above);
        AddTasks(o, "below", scan.Below, below);
        return Task.FromResult(ToolResults.Json(o));
    }

    [McpServerTool(Name = "search", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Full-text search of titles and descriptions: words, \"phrases\", prefix*, AND/OR/NOT, title:word. Best first, with snippets.")]
    public Task<CallToolResult> SearchAsync(
        [Description("The search query.")] string? query = null,
        [Description("Most results (1..100, default 20).")][Range(1, 100)] int? limit = null,
        [Description("Results to skip (for paging).")][Range(0, int.MaxValue)][DefaultValue(0)] int? offset = null,
        [Description("Also search attachment text.")] bool? include_attachments = null,
        [Description("Only these statuses.")][ArgShape(ArgShape.StringOrArray)] JsonElement? status_filter = null)
    {
        var q = Args.RequiredString(query, "query", 1000);
        var found = _graph.TaskQueries.Search(q, limit, offset ?? 0, Args.StringOrArray(status_filter, "status_filter"), QueryScope.Everything, include_attachments == true);
        var page = found.Page;
        var results = new JsonArray();
        foreach (var hit in page.Hits)
        {
            var result = new JsonObject
            {
                ["task_id"] = hit.TaskId,
                ["title"] = hit.Title,
                ["description"] = hit.Description,
                ["status"] = hit.Status,
                ["score"] = hit.Score,
                ["title_snippet"] = hit.TitleSnippet,
                ["description_snippet"] = hit.DescriptionSnippet,
            };
            if (hit.AttachmentSnippet is { } snippet)
            {
                result["attachment_snippet"] = snippet;
            }

            results.Add(result);
        }

        return Task.FromResult(ToolResults.Json(new JsonObject
        {
            ["query"] = q,
            ["result_count"] = page.Hits.Count,
            ["has_more"] = page.HasMore,
            ["offset"] = found.Offset,
            ["limit"] = found.Limit,
            ["results"] = results,
        }));
    }

    private static void AddTasks(JsonObject o, string name, IReadOnlyList<TaskRecord> tasks, int? depth)
    {
        if (depth is null or 0)
        {
            return;
        }

        o[name] = new JsonArray([.. tasks.Select(t => (JsonNode?)TaskJson.Task(t))]);
    }

    private static void Warnings(JsonObject o, string? phaseWarning, IReadOnlyList<string> tagWarnings)
    {
        if (phaseWarning is not null)
        {
            o["phase_warning"] = phaseWarning;
        }

        if (tagWarnings.Count > 0)
        {
            o["tag_warnings"] = TaskJson.Strings(tagWarnings);
        }
    }

    private static bool IsMarkdown(string? format) => format is "markdown" or "md";

    private static string PromptMode(string? prompts) => prompts switch
    {
        null => "caller",
        "caller" or "all" or "none" => prompts,
        _ => throw TaskGraphException.Invalid("prompts", $"prompts must be caller, all or none, got '{prompts}'"),
    };

    private static void AddPrompts(JsonObject o, IReadOnlyList<TransitionPrompt> prompts)
    {
        if (prompts.Count > 0)
        {
            o["prompts"] = new JsonArray([.. prompts.Select(p => (JsonNode)new JsonObject { ["text"] = p.Text, ["source"] = p.Source })]);
        }
    }

    private static TreeNode ParseNode(JsonElement node, string path, int depth)
    {
        if (node.ValueKind != JsonValueKind.Object)
        {
            throw TaskGraphException.Invalid("tree", $"{path} must be an object");
        }

        if (depth > 32)
        {
            throw TaskGraphException.Invalid("tree", "tree is nested more than 32 levels deep");
        }

        JsonElement? Prop(string name) => node.TryGetProperty(name, out var v) ? v : null;
        var children = new List<TreeNode>();
        if (Prop("children") is { } kids)
        {
            if (kids.ValueKind != JsonValueKind.Array)
            {
                throw TaskGraphException.Invalid("tree", $"{path}.children must be an array");
            }

            var i = 0;
            foreach (var kid in kids.EnumerateArray())
            {
                children.Add(ParseNode(kid, $"{path}.children[{i++}]", depth + 1));
            }
        }

        var pointsValue = Prop("points");
        var estimate = Prop("time_estimate_ms");
        return new TreeNode
        {
            Ref = Args.OptionalString(Prop("ref"), $"{path}.ref", 200),
            Task = new CreateTaskRequest
            {
                Id = Args.OptionalString(Prop("id"), $"{path}.id", 200),
                Title = Args.OptionalString(Prop("title"), $"{path}.title"),
                Description = Args.OptionalString(Prop("description"), $"{path}.description"),
                Phase = Args.OptionalString(Prop("phase"), $"{path}.phase", 200),
                Priority = Prop("priority") is null ? null : Args.Priority(Prop("priority"), $"{path}.priority"),
                Points = pointsValue is null ? null : Args.WholeNumber(pointsValue, $"{path}.points", 0, 0),
                TimeEstimateMs = estimate is null ? null : Args.WholeNumber(estimate, $"{path}.time_estimate_ms", 0, 0),
                Tags = Args.StringOrArray(Prop("tags"), $"{path}.tags"),
                NeededTags = Args.StringOrArray(Prop("needed_tags"), $"{path}.needed_tags"),
                WantedTags = Args.StringOrArray(Prop("wanted_tags"), $"{path}.wanted_tags"),
            },
            Children = children,
        };
    }
}
