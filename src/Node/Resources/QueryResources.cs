using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol.Server;
using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Records;
using TaskGraph.Core.Runtime;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Resources;

/// <summary>
/// The catalogue's <c>query://</c> resources, read from the node's read model: the task sets, one agent's and one tree's
/// tasks, the file marks, the agents and a status summary. Subscribe to any of them for
/// <c>notifications/resources/updated</c> (<see cref="ResourceNotifier"/>).
/// </summary>
[McpServerResourceType]
internal sealed class QueryResources(ServedGraphs served)
{
    private readonly GraphRuntime _graph = served.Current.Runtime;

    private const int Most = 1000;

    [McpServerResource(UriTemplate = "query://tasks/all", Name = "tasks-all", MimeType = "application/json")]
    [Description("Every task (up to 1000), compact.")]
    public string AllTasks() => Tasks(new TaskListQuery { Limit = Most });

    [McpServerResource(UriTemplate = "query://tasks/ready", Name = "tasks-ready", MimeType = "application/json")]
    [Description("Tasks ready to claim.")]
    public string ReadyTasks() => Tasks(new TaskListQuery { Ready = true, Limit = Most });

    [McpServerResource(UriTemplate = "query://tasks/blocked", Name = "tasks-blocked", MimeType = "application/json")]
    [Description("Tasks waiting on unsatisfied dependencies.")]
    public string BlockedTasks() => Tasks(new TaskListQuery { Blocked = true, Limit = Most });

    [McpServerResource(UriTemplate = "query://tasks/claimed", Name = "tasks-claimed", MimeType = "application/json")]
    [Description("Tasks someone owns.")]
    public string ClaimedTasks() => Tasks(new TaskListQuery { Claimed = true, Limit = Most });

    [McpServerResource(UriTemplate = "query://tasks/agent/{id}", Name = "tasks-agent", MimeType = "application/json")]
    [Description("The tasks one worker owns.")]
    public string AgentTasks(string id) => Tasks(new TaskListQuery { Owner = id, Limit = Most });

    [McpServerResource(UriTemplate = "query://tasks/tree/{id}", Name = "tasks-tree", MimeType = "application/json")]
    [Description("A task's descendants over contains edges.")]
    public string TreeTasks(string id) => Tasks(new TaskListQuery { Parent = id, Recursive = true, Limit = Most });

    [McpServerResource(UriTemplate = "query://files/marks", Name = "files-marks", MimeType = "application/json")]
    [Description("Every file mark and lock.")]
    public string Marks() => Json(new { marks = _graph.MarkQueries.All().Select(m => new { file = m.File, agent = m.Agent, task = m.TaskId, is_lock = m.IsLock, reason = m.Reason }) });

    [McpServerResource(UriTemplate = "query://agents/all", Name = "agents-all", MimeType = "application/json")]
    [Description("Every connected worker.")]
    public async Task<string> AgentsAsync(CancellationToken cancellationToken)
    {
        // From the stores, not the read model: deadlines live in the volatile key space, which the read model does not follow.
        var workers = await _graph.Workers.ListAsync(cancellationToken);
        return Json(new { agents = workers.Select(v => v.Worker).Select(w => new { id = w.Id, tags = w.Tags, heartbeat_deadline = w.HeartbeatDeadline, last_status = w.LastStatus }) });
    }

    [McpServerResource(UriTemplate = "query://stats/summary", Name = "stats-summary", MimeType = "application/json")]
    [Description("How many tasks are in each status.")]
    public string Summary()
    {
        var tasks = _graph.TaskQueries.Page(new TaskListQuery { Limit = int.MaxValue }).Tasks;
        return Json(new { total = tasks.Count, by_status = tasks.GroupBy(t => t.Status).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()) });
    }

    private string Tasks(TaskListQuery query)
    {
        var page = _graph.TaskQueries.Page(query);
        return Json(new { tasks = page.Tasks.Select(Row), has_more = page.HasMore });
    }

    private static object Row(TaskRecord t) => new { id = t.Id, title = t.Title, status = t.Status, owner = t.Owner, priority = t.Priority, tags = t.Tags };

    private static string Json(object value) => JsonSerializer.Serialize(value, ToolJson.Options);
}
