using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Queries;
using TaskGraph.Core.ReadModels;
using TaskGraph.Core.Runtime;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Tools;

/// <summary>SQL tools: query runs one read-only statement over this node's read model, get_schema describes the model.</summary>
[McpServerToolType]
internal sealed class QueryTools(ServedGraphs served)
{
    private readonly GraphRuntime _graph = served.Current.Runtime;

    [McpServerTool(Name = "query", ReadOnly = true, OpenWorld = false)]
    [Description("Run one read-only SQL SELECT/WITH on this node's read model (tables: get_schema). At most 2 s.")]
    public async Task<CallToolResult> QueryAsync(
        [Description("One SELECT or WITH statement; ? placeholders.")] string? sql = null,
        [Description("Values for the ? placeholders, in order.")] string[]? @params = null,
        [Description("Most rows (1..1000, default 100).")][ArgShape(ArgShape.Integer, Default = SqlQueries.DefaultLimit)] JsonElement? limit = null,
        [Description("json (default), csv or markdown.")] string? format = null,
        CancellationToken cancellationToken = default)
    {
        var shape = format?.Trim().ToLowerInvariant() switch
        {
            null or "" or "json" => "json",
            "csv" => "csv",
            "markdown" or "md" => "markdown",
            _ => throw TaskGraphException.Invalid("format", "format must be json, csv or markdown"),
        };
        var request = new SqlQueryRequest(Args.RequiredString(sql, "sql", SqlQueries.MaxSqlLength))
        {
            Parameters = @params ?? [],
            Limit = Args.WholeNumber(limit, "limit", SqlQueries.DefaultLimit, 1, SqlQueries.MaxLimit),
        };
        var result = await _graph.SqlQueries.RunAsync(request, cancellationToken);
        return ToolResults.Text(shape switch
        {
            "csv" => SqlAnswers.Csv(result),
            "markdown" => SqlAnswers.Markdown(result),
            _ => SqlAnswers.Json(result),
        });
    }

    [McpServerTool(Name = "get_schema", ReadOnly = true, OpenWorld = false)]
    [Description("Tables and columns of the read model that query reads.")]
    public Task<CallToolResult> GetSchemaAsync(
        [Description("One table (case-insensitive); default all.")] string? table = null,
        [Description("Add each table's CREATE statement.")][DefaultValue(false)] bool? include_sql = null)
    {
        var schema = _graph.SqlQueries.Schema();
        var tables = schema.Tables;
        if (Args.OptionalString(table, "table", 200) is { } name)
        {
            tables = [.. tables.Where(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))];
            if (tables.Count == 0)
            {
                // The catalogue answers an unknown table as a success that names the known ones.
                return Task.FromResult(ToolResults.Json(new JsonObject
                {
                    ["error"] = $"Table '{name}' not found",
                    ["available_tables"] = new JsonArray([.. schema.Tables.Select(t => (JsonNode)t.Name)]),
                }));
            }
        }

        return Task.FromResult(ToolResults.Json(new JsonObject
        {
            ["sqlite_version"] = schema.SqliteVersion,
            ["table_count"] = tables.Count,
            ["tables"] = new JsonArray([.. tables.Select(t => (JsonNode)Table(t, include_sql == true))]),
        }));
    }

    private static JsonObject Table(SchemaTable table, bool includeSql)
    {
        var o = new JsonObject
        {
            ["name"] = table.Name,
            ["type"] = table.Type,
            ["columns"] = new JsonArray([.. table.Columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["nullable"] = c.Nullable,
                ["primary_key"] = c.PrimaryKey,
                ["default"] = c.Default,
            })]),
        };
        if (table.Indexes.Count > 0)
        {
            o["indexes"] = new JsonArray([.. table.Indexes.Select(i => (JsonNode)new JsonObject
            {
                ["name"] = i.Name,
                ["unique"] = i.Unique,
                ["columns"] = new JsonArray([.. i.Columns.Select(c => (JsonNode)c)]),
            })]);
        }

        if (table.ForeignKeys.Count > 0)
        {
            o["foreign_keys"] = new JsonArray([.. table.ForeignKeys.Select(f => (JsonNode)new JsonObject
            {
                ["from"] = f.From,
                ["references"] = f.References,
                ["on_delete"] = f.OnDelete,
                ["on_update"] = f.OnUpdate,
            })]);
        }

        if (includeSql)
        {
            o["sql"] = table.Sql;
        }

        return o;
    }
}
