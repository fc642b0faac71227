using System.Text.Json;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// <c>get_schema</c> through the real tool: the SQLite version, the read model's tables and their columns (types upper
/// case, primary keys, nullability), indexes, CREATE statements on request, one table by name, and an unknown table
/// answered as a success naming the known ones. SQLite's own tables and FTS5's shadow tables are left out, and every
/// table listed can be read with <c>query</c>. The read model is the same whatever the store, so SQLite only.
/// </summary>
[Trait("Lane", "fast")]
public sealed class SchemaToolTests : InProcessToolTests
{
    [Fact]
    public async Task The_schema_names_the_sqlite_version_and_the_model_tables_without_sqlite_or_shadow_tables()
    {
        var schema = await CallAsync("get_schema");
        Assert.StartsWith("3.", String(schema, "sqlite_version"), StringComparison.Ordinal);
        var names = Names(schema);
        Assert.Equal(names.Count, schema.GetProperty("table_count").GetInt32());
        foreach (var expected in new[] { "tasks", "workers", "dependencies", "task_tags", "file_locks", "task_sequence", "claim_sequence", "tasks_fts" })
        {
            Assert.Contains(expected, names);
        }

        Assert.DoesNotContain(names, n => n.StartsWith("sqlite_", StringComparison.Ordinal) || n.StartsWith("tasks_fts_", StringComparison.Ordinal) || n.StartsWith("snapshot_", StringComparison.Ordinal));
        Assert.Equal("virtual", String(Table(schema, "tasks_fts"), "type"));
    }

    [Fact]
    public async Task Tasks_has_id_as_primary_key_and_typed_columns()
    {
        var tasks = Table(await CallAsync("get_schema", new { table = "tasks" }), "tasks");
        Assert.Equal("table", String(tasks, "type"));
        var columns = tasks.GetProperty("columns").EnumerateArray().ToDictionary(c => String(c, "name")!);
        Assert.True(columns["id"].GetProperty("primary_key").GetBoolean());
        Assert.False(columns["id"].GetProperty("nullable").GetBoolean());
        Assert.Equal("TEXT", String(columns["title"], "type"));
        Assert.False(columns["title"].GetProperty("nullable").GetBoolean());
        Assert.True(columns["description"].GetProperty("nullable").GetBoolean());
        Assert.False(columns["status"].GetProperty("primary_key").GetBoolean());
        Assert.Equal("INTEGER", String(columns["priority"], "type"));
        Assert.Equal("5", String(columns["priority"], "default"));
        Assert.Contains(tasks.GetProperty("indexes").EnumerateArray(), i => String(i, "name") == "idx_tasks_status" && Strings(i, "columns").SequenceEqual(["status"]));
    }

    [Fact]
    public async Task Dependencies_key_on_both_ends_and_the_type_and_declare_no_foreign_keys_in_this_projection()
    {
        var deps = Table(await CallAsync("get_schema", new { table = "dependencies" }), "dependencies");
        var keys = deps.GetProperty("columns").EnumerateArray().Where(c => c.GetProperty("primary_key").GetBoolean()).Select(c => String(c, "name"));
        Assert.Equal(["from_task_id", "to_task_id", "dep_type"], keys);
        Assert.Contains(deps.GetProperty("indexes").EnumerateArray(), i => String(i, "name") == "idx_dependencies_to");
        Assert.False(deps.TryGetProperty("foreign_keys", out _));
    }

    [Fact]
    public async Task Include_sql_adds_each_create_statement_and_is_off_by_default()
    {
        var without = Table(await CallAsync("get_schema", new { table = "tasks" }), "tasks");
        Assert.False(without.TryGetProperty("sql", out _));
        var with = Table(await CallAsync("get_schema", new { table = "tasks", include_sql = true }), "tasks");
        Assert.StartsWith("CREATE TABLE tasks", String(with, "sql"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_table_is_found_by_name_in_any_case_and_an_unknown_one_answers_the_known_tables()
    {
        var one = await CallAsync("get_schema", new { table = "TASKS" });
        Assert.Equal(1, one.GetProperty("table_count").GetInt32());
        Assert.Equal(["tasks"], Names(one));

        var unknown = await CallAsync("get_schema", new { table = "nowhere" });
        Assert.Contains("nowhere", String(unknown, "error"), StringComparison.Ordinal);
        Assert.Contains("tasks", Strings(unknown, "available_tables"));
    }

    [Fact]
    public async Task Every_table_listed_can_be_read_with_query()
    {
        foreach (var name in Names(await CallAsync("get_schema")))
        {
            var answer = await CallAsync("query", new { sql = $"SELECT * FROM \"{name}\" LIMIT 1" });
            Assert.Equal(JsonValueKind.Array, answer.GetProperty("columns").ValueKind);
        }
    }

    private static List<string> Names(JsonElement schema) => [.. schema.GetProperty("tables").EnumerateArray().Select(t => String(t, "name")!)];

    private static JsonElement Table(JsonElement schema, string name) =>
        schema.GetProperty("tables").EnumerateArray().Single(t => String(t, "name") == name);
}
