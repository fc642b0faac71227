using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Leases;
using TaskGraph.Core.Marks;
using TaskGraph.Core.Queries;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Workers;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Tools;

/// <summary>Worker lifecycle tools: connect, disconnect, list_agents, cleanup_stale, thinking.</summary>
[McpServerToolType]
internal sealed class WorkerTools(ServedGraphs served, StoreStatus store)
{
    private readonly GraphRuntime _graph = served.Current.Runtime;

    private static readonly string Version =
        typeof(WorkerTools).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    [McpServerTool(Name = "connect", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Call first: register as a worker and get the workflow's states. connect, thinking, claim and update renew your lease; silent past the stale timeout, you lose your claims.")]
    public async Task<CallToolResult> ConnectAsync(
        [Description("Your worker id (1..64 chars; generated if omitted).")] string? worker_id = null,
        [Description("Your capability tags (string or array).")][ArgShape(ArgShape.StringOrArray)] JsonElement? tags = null,
        [Description("Re-register an existing id, keeping its claims.")][DefaultValue(false)] bool? force = null,
        [Description("Workflow to follow.")] string? workflow = null,
        [Description("Overlays on the workflow, in order.")][ArgShape(ArgShape.StringOrArray)] JsonElement? overlays = null,
        [Description("Informational.")] string? db_path = null,
        [Description("Informational.")] string? media_dir = null,
        [Description("Informational.")] string? log_dir = null,
        [Description("Informational.")] string? config_path = null,
        CancellationToken cancellationToken = default)
    {
        var request = new ConnectRequest
        {
            WorkerId = Args.OptionalString(worker_id, "worker_id", 200),
            Tags = Args.StringOrArray(tags, "tags"),
            Force = force ?? false,
            Workflow = workflow,
            Overlays = Args.StringOrArray(overlays, "overlays"),
        };
        ConnectResult result;
        var offline = false;
        try
        {
            result = await _graph.Workers.ConnectAsync(request, cancellationToken);
        }
        catch (HubUnreachableException) when (request.WorkerId is { } id && _graph.WorkerQueries.Registered(id) is { } known)
        {
            // An edge node cut off from its hub cannot register anyone; a worker it already knows gets its registration as
            // last seen (stale_since says how old), so it can go on reading. Its lease was not renewed.
            result = new ConnectResult(known, _graph.Config.Current.WorkflowFor(known.Workflow, known.Overlays), []);
            offline = true;
        }

        var config = _graph.Config.Current;
        var wf = result.Workflow;
        var worker = result.Worker;
        var o = new JsonObject
        {
            ["version"] = Version,
            ["worker_id"] = worker.Id,
            ["tags"] = worker.Tags.Count == 0 ? null : TaskJson.Strings(worker.Tags),
            ["max_claims"] = worker.MaxClaims,
            ["registered_at"] = worker.RegisteredAt,
            ["heartbeat_deadline"] = worker.HeartbeatDeadline,
            ["workflow"] = worker.Workflow,
            // Relative to the project root (the node's working directory); a path outside it is not shown.
            ["paths"] = new JsonObject
            {
                ["db_path"] = config.Server.Store == "sqlite" ? ProjectPath(config.Server.DbPath) : null,
                ["media_dir"] = ProjectPath(config.Server.MediaDir),
                ["log_dir"] = ProjectPath(config.Server.LogDir),
            },
            ["store"] = new JsonObject
            {
                ["kind"] = store.Kind,
                ["replicas"] = store.Replicas,
                ["warning"] = store.Warning,
            },
            ["config"] = new JsonObject
            {
                ["states"] = TaskJson.Strings(wf.StateNames),
                ["initial_state"] = wf.Settings.InitialState,
                ["disconnect_state"] = wf.Settings.DisconnectState,
                ["timed_states"] = TaskJson.Strings(wf.StateNames.Where(wf.IsTimed)),
                ["terminal_states"] = TaskJson.Strings(wf.StateNames.Where(wf.IsTerminal)),
                ["blocking_states"] = TaskJson.Strings(wf.Settings.BlockingStates),
                ["phases"] = TaskJson.Strings(wf.Phases),
                ["dependency_types"] = TaskJson.Strings(config.Dependencies.Keys),
                ["known_tags"] = TaskJson.Strings(config.Tags.Known),
                ["claim_limit"] = config.Server.ClaimLimit,
                ["stale_timeout_seconds"] = config.Server.StaleTimeoutSeconds,
            },
        };
        if (offline)
        {
            o["warning"] = "The hub is unreachable: this is your registration as last seen here, not renewed; writes are refused (HUB_UNREACHABLE) until the uplink is back.";
        }

        if (wf.Description is not null && worker.Workflow is not null)
        {
            o["workflow_description"] = wf.Description;
        }

        if (worker.Overlays.Count > 0)
        {
            o["overlays"] = TaskJson.Strings(worker.Overlays);
        }

        RoleJson.AddTo(o, wf, result.Role);

        if (result.TagWarnings.Count > 0)
        {
            o["tag_warnings"] = TaskJson.Strings(result.TagWarnings);
        }

        var pathWarnings = new[] { ("db_path", db_path), ("media_dir", media_dir), ("log_dir", log_dir), ("config_path", config_path) }
            .Where(p => p.Item2 is not null)
            .Select(p => $"{p.Item1} is informational; this node uses its own configuration")
            .ToList();
        if (pathWarnings.Count > 0)
        {
            o["path_warnings"] = TaskJson.Strings(pathWarnings);
        }

        return ToolResults.Json(o);
    }

    [McpServerTool(Name = "disconnect", Destructive = true, Idempotent = false, OpenWorld = false)]
    [Description("Unregister: release all your tasks to an untimed state (default: the workflow's disconnect state) and all your file marks.")]
    public async Task<CallToolResult> DisconnectAsync(
        [Description("Your worker id.")] string? worker_id = null,
        [Description("Alias of worker_id.")] string? agent = null,
        [Description("Untimed status your tasks are released to (default: the workflow's disconnect_state).")] string? final_status = null,
        CancellationToken cancellationToken = default)
    {
        var id = Args.WorkerId(worker_id, agent)!;
        var result = await _graph.Workers.DisconnectAsync(id, Args.OptionalString(final_status, "final_status", 64), cancellationToken);
        return ToolResults.Json(new
        {
            success = true,
            tasks_released = result.TasksReleased,
            files_released = result.FilesReleased,
            final_status = result.FinalStatus,
        });
    }

    [McpServerTool(Name = "list_agents", ReadOnly = false, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Connected workers with claim counts and heartbeat age; evicts stale ones first.")]
    public async Task<CallToolResult> ListAgentsAsync(
        [Description("ALL of these tags.")][ArgShape(ArgShape.StringOrArray)] JsonElement? tags = null,
        [Description("Only the worker holding a mark on this file.")] string? file = null,
        [Description("Owners of this task (and, with depth, nearby tasks).")] string? task = null,
        [Description("Hops, -3..3.")][Range(-3, 3)][DefaultValue(0)] int? depth = null,
        [Description("Evict workers silent this long first (0: no eviction).")][Range(0, int.MaxValue)] int? stale_timeout = null,
        [Description("json (default) or markdown.")] string? format = null,
        CancellationToken cancellationToken = default)
    {
        var listed = await _graph.WorkerQueries.ListAsync(
            new AgentListRequest
            {
                Tags = Args.StringOrArray(tags, "tags"),
                File = Args.OptionalString(file, "file", Core.Graph.Limits.PathLength),
                Task = Args.OptionalString(task, "task", 200),
                Depth = depth ?? 0,
                StaleTimeoutSeconds = stale_timeout,
            },
            QueryScope.Everything,
            cancellationToken);
        var (selected, cleanup, now) = (listed.Workers, listed.Cleanup, listed.NowMs);
        if (format == "markdown")
        {
            var lines = selected.Select(v => $"- **{v.Worker.Id}** [{string.Join(", ", v.Worker.Tags)}] claims {v.ClaimCount}/{v.Worker.MaxClaims}, heartbeat {(now - v.Worker.LastHeartbeat) / 1000}s ago");
            return ToolResults.Text(selected.Count == 0 ? "_No workers connected._" : string.Join('\n', lines));
        }

        var workers = new JsonArray();
        foreach (var v in selected)
        {
            var w = new JsonObject
            {
                ["id"] = v.Worker.Id,
                ["tags"] = v.Worker.Tags.Count == 0 ? null : TaskJson.Strings(v.Worker.Tags),
                ["max_claims"] = v.Worker.MaxClaims,
                ["claim_count"] = v.ClaimCount,
                ["claimed_tasks"] = v.OwnedTaskIds.Count == 0 ? null : TaskJson.Strings(v.OwnedTaskIds),
                ["current_thought"] = v.CurrentThought,
                ["registered_at"] = v.Worker.RegisteredAt,
                ["last_heartbeat"] = v.Worker.LastHeartbeat,
                ["heartbeat_age_ms"] = now - v.Worker.LastHeartbeat,
                ["heartbeat_deadline"] = v.Worker.HeartbeatDeadline,
                ["workflow"] = v.Worker.Workflow,
                ["overlays"] = v.Worker.Overlays.Count == 0 ? null : TaskJson.Strings(v.Worker.Overlays),
            };
            workers.Add(w);
        }

        var o = new JsonObject { ["workers"] = workers };
        if (cleanup is { EvictedWorkerIds.Count: > 0 })
        {
            o["cleanup"] = Cleanup(cleanup);
        }

        return ToolResults.Json(o);
    }

    [McpServerTool(Name = "cleanup_stale", Destructive = true, Idempotent = true, OpenWorld = false)]
    [Description("Evict workers whose last heartbeat is older than timeout seconds: release their tasks (with a history entry) and their file marks.")]
    public async Task<CallToolResult> CleanupStaleAsync(
        [Description("Seconds without a heartbeat after which a worker is stale (default: the server's stale timeout).")][Range(0, int.MaxValue)] int? timeout = null,
        [Description("Untimed status released tasks move to (default: the workflow's disconnect_state).")] string? final_status = null,
        [Description("Who asks (recorded in history).")] string? worker_id = null,
        CancellationToken cancellationToken = default)
    {
        var result = await _graph.Workers.CleanupStaleAsync(timeout ?? _graph.Config.Current.Server.StaleTimeoutSeconds, Args.OptionalString(final_status, "final_status", 64), worker_id, cancellationToken);
        var o = Cleanup(result);
        o["final_status"] = result.FinalStatus ?? _graph.Config.Current.DefaultWorkflow.Settings.DisconnectState;
        return ToolResults.Json(o);
    }

    [McpServerTool(Name = "thinking", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Heartbeat with your current thought, shown on your tasks. Call every few minutes while working.")]
    public async Task<CallToolResult> ThinkingAsync(
        [Description("Your worker id.")] string? agent = null,
        [Description("What you are doing (short).")] string? thought = null,
        [Description("Only these of your tasks.")][ArgShape(ArgShape.StringOrArray)] JsonElement? tasks = null,
        [Description("Alias of agent.")] string? worker_id = null,
        CancellationToken cancellationToken = default)
    {
        var id = Args.WorkerId(worker_id, agent)!;
        var text = Args.RequiredString(thought, "thought", Core.Graph.Limits.TextLength);
        var updated = await _graph.Workers.ThinkingAsync(id, text, Args.StringOrArray(tasks, "tasks"), cancellationToken);
        return ToolResults.Json(new { success = true, updated_count = updated });
    }

    private static string? ProjectPath(string path) => MarkPaths.Relative(path, Environment.CurrentDirectory);

    private static JsonObject Cleanup(EvictionResult result) => new()
    {
        ["workers_evicted"] = result.EvictedWorkerIds.Count,
        ["evicted_worker_ids"] = TaskJson.Strings(result.EvictedWorkerIds),
        ["tasks_released"] = result.TasksReleased,
        ["files_released"] = result.FilesReleased,
    };
}
