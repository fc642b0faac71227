using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Attachments;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Workflows;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Tools;

/// <summary>Attachment tools (attach, attachments, detach) and check_gates, which reads them.</summary>
[McpServerToolType]
internal sealed class AttachmentTools(ServedGraphs served)
{
    private readonly GraphRuntime _graph = served.Current.Runtime;

    [McpServerTool(Name = "attach", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Attach text (or a file reference) to task(s) under a type, e.g. commit, note, gate/tests; gates are satisfied by attachments of their type.")]
    public async Task<CallToolResult> AttachAsync(
        [Description("Task id(s) (string or array).")][ArgShape(ArgShape.StringOrArray)] JsonElement? task = null,
        [Description("Attachment type.")] string? type = null,
        [Description("The text.")] string? content = null,
        [Description("Path of an existing file to reference instead.")] string? file = null,
        [Description("A name.")] string? name = null,
        [Description("MIME type (default from the type).")] string? mime = null,
        [Description("append or replace (default from the type).")] string? mode = null,
        [Description("Keep content (or the file's bytes) as a blob every node reads.")] bool? store_as_file = null,
        [Description("Your worker id.")] string? agent = null,
        [Description("Alias of agent.")] string? worker_id = null,
        CancellationToken cancellationToken = default)
    {
        var tasks = Args.StringOrArray(task, "task", required: true);
        var results = await _graph.Attachments.AttachAsync(
            tasks,
            new AttachmentInput { Type = Args.RequiredString(type, "type", 200), Content = content, File = file, Name = name, Mime = mime, Mode = mode, StoreAsFile = store_as_file ?? false },
            Args.WorkerId(agent, worker_id, required: false),
            cancellationToken);
        var answers = results.Select(r =>
        {
            var o = new JsonObject { ["task_id"] = r.TaskId, ["type"] = r.Added.Type, ["sequence"] = r.Added.Sequence };
            if (r.Added.Name is not null)
            {
                o["name"] = r.Added.Name;
            }

            if (r.Added.FilePath is not null)
            {
                o["file_path"] = r.Added.FilePath;
            }

            if (r.Added.BlobName is not null)
            {
                o["blob"] = r.Added.BlobName;
            }

            if (r.Warnings.Count > 0)
            {
                o["warning"] = string.Join("; ", r.Warnings);
            }

            return o;
        }).ToList();
        return ToolResults.Json(answers.Count == 1 ? answers[0] : new JsonObject { ["attachments"] = new JsonArray([.. answers]) });
    }

    [McpServerTool(Name = "attachments", ReadOnly = true, OpenWorld = false)]
    [Description("A task's attachments (metadata; content=true adds the text), filtered by type glob and MIME prefix.")]
    public async Task<CallToolResult> AttachmentsAsync(
        [Description("Task id.")] string? task = null,
        [Description("Type glob (* and ?).")] string? type = null,
        [Description("MIME prefix, e.g. text/.")] string? mime = null,
        [Description("Include the content.")] bool? content = null,
        CancellationToken cancellationToken = default)
    {
        var views = await _graph.Attachments.ListAsync(Args.RequiredString(task, "task", 200), type, mime, content ?? false, cancellationToken);
        return ToolResults.Json(new JsonObject
        {
            ["attachments"] = new JsonArray([.. views.Select(v =>
            {
                var o = AttachmentJson.Meta(v.TaskId, v.Meta);
                if (v.Content is not null)
                {
                    o["content"] = v.Content;
                }

                return (JsonNode)o;
            })]),
        });
    }

    [McpServerTool(Name = "detach", Destructive = true, Idempotent = true, OpenWorld = false)]
    [Description("Remove every attachment of a type from a task.")]
    public async Task<CallToolResult> DetachAsync(
        [Description("Your worker id.")] string? agent = null,
        [Description("Task id.")] string? task = null,
        [Description("Attachment type.")] string? type = null,
        [Description("Accepted; referenced files are never deleted.")] bool? delete_files = null,
        [Description("Alias of agent.")] string? worker_id = null,
        CancellationToken cancellationToken = default)
    {
        _ = delete_files;
        var (deleted, blobs) = await _graph.Attachments.DetachAsync(
            Args.RequiredString(task, "task", 200), Args.RequiredString(type, "type", 200), Args.WorkerId(agent, worker_id), cancellationToken);
        return ToolResults.Json(new JsonObject { ["deleted_count"] = deleted, ["files_deleted"] = blobs });
    }

    [McpServerTool(Name = "check_gates", ReadOnly = true, OpenWorld = false)]
    [Description("The exit gates of a task's current status and phase it does not satisfy yet: pass, warn or fail.")]
    public async Task<CallToolResult> CheckGatesAsync(
        [Description("Task id.")] string? task = null,
        [Description("Judge under this worker's workflow (default: the owner's, else the default workflow).")] string? worker_id = null,
        CancellationToken cancellationToken = default)
    {
        var record = await _graph.Tasks.GetAsync(Args.RequiredString(task, "task", 200), cancellationToken);
        var workflow = await _graph.Workers.WorkflowOfAsync(worker_id ?? record.Owner, cancellationToken);
        var unsatisfied = GateCheck.Unsatisfied(workflow, record, GateCheck.StatusKey(record.Status))
            .Concat(record.Phase is { } p ? GateCheck.Unsatisfied(workflow, record, GateCheck.PhaseKey(p)) : [])
            .ToList();
        return ToolResults.Json(new JsonObject
        {
            ["status"] = GateCheck.Verdict(unsatisfied),
            ["gates"] = new JsonArray([.. unsatisfied.Select(g =>
            {
                var o = new JsonObject { ["type"] = g.Type, ["enforcement"] = g.Enforcement };
                if (g.Description is not null)
                {
                    o["description"] = g.Description;
                }

                o["satisfied"] = false;
                return (JsonNode)o;
            })]),
        });
    }
}
