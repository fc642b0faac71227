using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Queries;
using TaskGraph.Core.Runtime;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Tools;

/// <summary>audit: who changed what, from the store's own log (admin only over HTTP).</summary>
[McpServerToolType]
internal sealed class AuditTools(ServedGraphs served)
{
    private readonly GraphRuntime _graph = served.Current.Runtime;

    [McpServerTool(Name = "audit", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("The audit trail (admin only): every write made by a tool call, with the principal (token name, or stdio), "
        + "its role, the tool and a digest of the arguments, oldest first. Returns {entries, cursor}; pass cursor as since.")]
    public async Task<CallToolResult> AuditAsync(
        [Description("Only writes of this principal (a token name, or 'stdio').")] string? principal = null,
        [Description("Only writes made by this tool.")] string? tool = null,
        [Description("Only writes after this log position (the cursor of a previous answer).")][ArgShape(ArgShape.Integer)] JsonElement? since = null,
        [Description("Most entries (1..1000, default 100).")][Range(1, 1000)] int? limit = null,
        CancellationToken cancellationToken = default)
    {
        var after = Args.Cursor(since, "since") ?? 0;
        if (limit is < 1 or > 1000)
        {
            throw TaskGraphException.Invalid("limit", "limit must be between 1 and 1000");
        }

        var entries = await _graph.Audit.ReadAsync(
            after, Args.OptionalString(principal, "principal", 200), Args.OptionalString(tool, "tool", 100), null, limit ?? 100, cancellationToken);
        return ToolResults.Json(new Dictionary<string, object>
        {
            ["entries"] = entries.Select(Row).ToList(),
            ["cursor"] = entries.Count == 0 ? after : entries[^1].Position,
        });
    }

    /// <summary>One entry as the tool and the CLI show it (no nulls: an absent role or digest is left out).</summary>
    internal static Dictionary<string, object> Row(AuditEntry e)
    {
        var row = new Dictionary<string, object>
        {
            ["position"] = e.Position,
            ["at"] = e.At,
            ["key"] = e.Key,
            ["principal"] = e.Stamp.Principal,
            ["tool"] = e.Stamp.Tool,
        };
        if (e.Stamp.Role is { } role)
        {
            row["role"] = role;
        }

        if (e.Stamp.Digest is { } digest)
        {
            row["digest"] = digest;
        }

        return row;
    }
}
