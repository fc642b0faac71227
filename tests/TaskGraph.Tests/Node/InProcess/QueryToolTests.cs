using System.Text.Json;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// <c>query</c> through the real tool: the answer shapes (JSON, CSV, markdown), placeholders, limits, and read-only as
/// SQLite enforces it. Every refused statement (writes, a write behind a CTE or a comment, a second statement, PRAGMA,
/// ATTACH, VACUUM, transactions, load_extension) answers INVALID_FIELD_VALUE on <c>sql</c> and leaves the graph as it was,
/// with the node still answering; a read that merely mentions a write (<c>SELECT 'DROP TABLE x'</c>) succeeds. A query
/// past the time limit is stopped; queries racing task creation leave the read model following the store. Runs on
/// SQLite (fast lane) and on a single nats-server.
/// </summary>
public abstract class QueryToolTests : InProcessToolTests
{
    private const string Counting = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000) SELECT x FROM c";

    [Fact]
    public async Task A_select_answers_columns_rows_row_count_and_truncated_false()
    {
        await CallAsync("create", new { id = "q-a", title = "first", priority = 7 });
        await CallAsync("create", new { id = "q-b", title = "second" });
        var answer = await CallAsync("query", new { sql = "SELECT id, title, priority FROM tasks ORDER BY id" });
        Assert.Equal(["id", "title", "priority"], answer.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        var rows = answer.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal("q-a", String(rows[0], "id"));
        Assert.Equal("first", String(rows[0], "title"));
        Assert.Equal(7, rows[0].GetProperty("priority").GetInt64());
        Assert.Equal(2, answer.GetProperty("row_count").GetInt32());
        Assert.False(answer.GetProperty("truncated").GetBoolean());
        Assert.Equal(100, answer.GetProperty("limit").GetInt32());
    }

    [Fact]
    public async Task Question_mark_placeholders_are_bound_from_params_in_order()
    {
        await CallAsync("create", new { id = "q-p1", title = "alpha", priority = 3 });
        await CallAsync("create", new { id = "q-p2", title = "beta", priority = 9 });
        var answer = await CallAsync("query", new { sql = "SELECT id FROM tasks WHERE title = ? OR priority > ? ORDER BY id", @params = new[] { "alpha", "8" } });
        Assert.Equal(["q-p1", "q-p2"], Column(answer, "id"));

        var envelope = await RefusedAsync("query", new { sql = "SELECT id FROM tasks WHERE title = ?" }, "INVALID_FIELD_VALUE");
        Assert.Equal("params", String(envelope, "field"));
    }

    [Fact]
    public async Task A_filter_on_status_a_cte_a_query_plan_and_values_are_reads()
    {
        await CreateAsync("q-s1", "q-s2");
        var pending = await CallAsync("query", new { sql = "SELECT id FROM tasks WHERE status = 'pending' ORDER BY id" });
        Assert.Equal(["q-s1", "q-s2"], Column(pending, "id"));
        var cte = await CallAsync("query", new { sql = "WITH p AS (SELECT id FROM tasks WHERE status = 'pending') SELECT count(*) AS n FROM p" });
        Assert.Equal(2, cte.GetProperty("rows")[0].GetProperty("n").GetInt64());

        var plan = await CallAsync("query", new { sql = "EXPLAIN QUERY PLAN SELECT id FROM tasks WHERE status = 'pending'" });
        Assert.Contains("detail", plan.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        var values = await CallAsync("query", new { sql = "VALUES (1, 'one'), (2, 'two')" });
        Assert.Equal(2, values.GetProperty("row_count").GetInt32());
    }

    [Fact]
    public async Task A_limit_of_5_truncates_and_limits_are_clamped_to_1_through_1000_with_100_by_default()
    {
        var five = await CallAsync("query", new { sql = Counting, limit = 5 });
        Assert.Equal(5, five.GetProperty("row_count").GetInt32());
        Assert.True(five.GetProperty("truncated").GetBoolean());
        Assert.Equal(5, five.GetProperty("limit").GetInt32());

        var byDefault = await CallAsync("query", new { sql = Counting });
        Assert.Equal(100, byDefault.GetProperty("row_count").GetInt32());
        Assert.Equal(100, byDefault.GetProperty("limit").GetInt32());

        var huge = await CallAsync("query", new { sql = Counting, limit = 5000 });
        Assert.Equal(1000, huge.GetProperty("row_count").GetInt32());
        Assert.Equal(1000, huge.GetProperty("limit").GetInt32());
        Assert.True(huge.GetProperty("truncated").GetBoolean());

        var tiny = await CallAsync("query", new { sql = Counting, limit = 0 });
        Assert.Equal(1, tiny.GetProperty("row_count").GetInt32());

        var exact = await CallAsync("query", new { sql = "SELECT 1 AS one UNION ALL SELECT 2", limit = 2 });
        Assert.False(exact.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task Csv_has_a_header_line_quotes_what_needs_it_and_says_when_it_is_truncated()
    {
        await CallAsync("create", new { id = "q-c1", title = "plain" });
        await CallAsync("create", new { id = "q-c2", title = "with, comma and \"quotes\"" });
        var csv = await TextAsync(new { sql = "SELECT id, title, deleted_at FROM tasks ORDER BY id", format = "csv" });
        Assert.Equal("id,title,deleted_at\nq-c1,plain,\nq-c2,\"with, comma and \"\"quotes\"\"\",\n", csv);

        var truncated = await TextAsync(new { sql = Counting, format = "csv", limit = 3 });
        Assert.Equal("x\n1\n2\n3\n# Results truncated at 3 rows\n", truncated);
    }

    [Fact]
    public async Task Markdown_is_a_table_with_null_marked_and_pipes_escaped()
    {
        await CallAsync("create", new { id = "q-m1", title = "a|b" });
        var md = await TextAsync(new { sql = "SELECT id, title, deleted_by FROM tasks WHERE id = 'q-m1'", format = "markdown" });
        Assert.Equal("| id | title | deleted_by |\n| --- | --- | --- |\n| q-m1 | a\\|b | *null* |\n", md);
        var shortName = await TextAsync(new { sql = "SELECT title FROM tasks", format = "md" });
        Assert.StartsWith("| title |\n| --- |\n", shortName, StringComparison.Ordinal);

        var envelope = await RefusedAsync("query", new { sql = "SELECT 1", format = "xml" }, "INVALID_FIELD_VALUE");
        Assert.Equal("format", String(envelope, "field"));
    }

    [Fact]
    public async Task Values_keep_their_types_blobs_are_base64_nulls_stay_and_repeated_names_are_made_unique()
    {
        var answer = await CallAsync("query", new { sql = "SELECT 42 AS n, 2.5 AS r, 'text' AS s, x'00ff10' AS b, NULL AS z, 1 AS n" });
        Assert.Equal(["n", "r", "s", "b", "z", "n_2"], answer.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        var row = answer.GetProperty("rows")[0];
        Assert.Equal(JsonValueKind.Number, row.GetProperty("n").ValueKind);
        Assert.Equal(2.5, row.GetProperty("r").GetDouble());
        Assert.Equal("text", String(row, "s"));
        Assert.Equal(Convert.ToBase64String([0x00, 0xff, 0x10]), String(row, "b"));
        Assert.Equal(JsonValueKind.Null, row.GetProperty("z").ValueKind);
        Assert.Equal(1, row.GetProperty("n_2").GetInt64());
    }

    [Fact]
    public async Task Full_text_search_through_query_works_and_search_keeps_working_after_it()
    {
        await CallAsync("create", new { id = "q-f1", title = "zebra crossing", description = "stripes" });
        await CallAsync("create", new { id = "q-f2", title = "lion" });
        var hits = await CallAsync("query", new { sql = "SELECT task_id, bm25(tasks_fts) AS score FROM tasks_fts WHERE tasks_fts MATCH ? ORDER BY score", @params = new[] { "zebra" } });
        Assert.Equal(["q-f1"], Column(hits, "task_id"));
        var search = await CallAsync("search", new { query = "zebra" });
        Assert.Equal(["q-f1"], search.GetProperty("results").EnumerateArray().Select(r => String(r, "task_id")));
    }

    [Theory]
    [InlineData("INSERT INTO tasks (id, title, status, created_at, updated_at, record) VALUES ('evil', 'evil', 'pending', 0, 0, '{}')", "INSERT")]
    [InlineData("REPLACE INTO task_tags (task_id, tag) VALUES ('q-guard', 'evil')", "INSERT")]
    [InlineData("UPDATE tasks SET title = 'hacked'", "UPDATE")]
    [InlineData("DELETE FROM tasks", "DELETE")]
    [InlineData("DROP TABLE tasks", "DROP TABLE")]
    [InlineData("DROP INDEX idx_tasks_status", "DROP INDEX")]
    [InlineData("CREATE TABLE evil (x)", "CREATE TABLE")]
    [InlineData("CREATE INDEX evil ON tasks (title)", "CREATE INDEX")]
    [InlineData("CREATE TEMP TABLE evil AS SELECT 1", "CREATE TEMP TABLE")]
    [InlineData("CREATE VIEW evil AS SELECT 1", "CREATE VIEW")]
    [InlineData("CREATE TRIGGER evil AFTER INSERT ON tasks BEGIN DELETE FROM tasks; END", "CREATE TRIGGER")]
    [InlineData("ALTER TABLE tasks ADD COLUMN evil TEXT", "ALTER TABLE")]
    [InlineData("WITH x AS (SELECT 1) DELETE FROM tasks", "DELETE")]
    [InlineData("WITH x AS (SELECT 1) INSERT INTO task_tags SELECT id, 'evil' FROM tasks", "INSERT")]
    [InlineData("WITH x AS (SELECT 1) UPDATE tasks SET status = 'completed'", "UPDATE")]
    [InlineData("WITH x AS (SELECT 1) DELETE/**/FROM tasks", "DELETE")]
    [InlineData("EXPLAIN DELETE FROM tasks", "DELETE")]
    [InlineData("SELECT 1; DROP TABLE tasks", "Multiple")]
    [InlineData("SELECT 1 /* ; */; DELETE FROM tasks", "Multiple")]
    [InlineData("SELECT ';' AS s; DELETE FROM tasks", "Multiple")]
    [InlineData("SELECT 1 --\n; DELETE FROM tasks", "Multiple")]
    [InlineData("SELECT 1;\n-- a comment\nDELETE FROM tasks", "Multiple")]
    [InlineData("SELECT 1; SELECT 2", "Multiple")]
    [InlineData("-- just a comment\nDELETE FROM tasks", "DELETE")]
    [InlineData("/* SELECT */ DROP TABLE tasks", "DROP TABLE")]
    [InlineData("PRAGMA query_only = 0", "PRAGMA query_only")]
    [InlineData("PRAGMA writable_schema = 1", "PRAGMA writable_schema")]
    [InlineData("PRAGMA table_info(tasks)", "PRAGMA table_info")]
    [InlineData("SELECT * FROM pragma_table_info('tasks')", "PRAGMA table_info")]
    [InlineData("SELECT * FROM pragma_database_list", "PRAGMA database_list")]
    [InlineData("ATTACH DATABASE ':memory:' AS other", "ATTACH")]
    [InlineData("ATTACH DATABASE 'q-evil.db' AS other", "ATTACH")]
    [InlineData("DETACH DATABASE main", "DETACH")]
    [InlineData("VACUUM", "would write")]
    [InlineData("VACUUM INTO 'q-copy.db'", "would write")]
    [InlineData("REINDEX", "REINDEX")]
    [InlineData("ANALYZE", "sqlite_stat1")]
    [InlineData("BEGIN", "BEGIN")]
    [InlineData("BEGIN IMMEDIATE", "BEGIN")]
    [InlineData("COMMIT", "COMMIT")]
    [InlineData("ROLLBACK", "ROLLBACK")]
    [InlineData("SAVEPOINT s", "SAVEPOINT")]
    [InlineData("SELECT load_extension('evil')", "load_extension")]
    public async Task A_statement_that_is_not_one_read_is_refused_and_changes_nothing(string sql, string said)
    {
        await CallAsync("create", new { id = "q-guard", title = "guarded", tags = new[] { "keep" } });
        var before = await FingerprintAsync();

        var envelope = await RefusedAsync("query", new { sql }, "INVALID_FIELD_VALUE");
        Assert.Equal("sql", String(envelope, "field"));
        var message = String(envelope, "message")!;
        Assert.True(message.Contains(said, StringComparison.Ordinal), message);
        Assert.True(message.Contains("Multiple", StringComparison.Ordinal) || message.Contains("read-only SELECT", StringComparison.Ordinal), message);

        Assert.Equal(before, await FingerprintAsync());
        Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, "q-copy.db")), "VACUUM INTO wrote a file");
        Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, "q-evil.db")), "ATTACH created a file");
        await StillAnswersAsync();
    }

    [Theory]
    [InlineData("SELECT 'DROP TABLE tasks' AS s", "DROP TABLE tasks")]
    [InlineData("SELECT 'DELETE FROM tasks; --' AS s;  ", "DELETE FROM tasks; --")]
    [InlineData("SELECT 'x' AS s -- ; DROP TABLE tasks", "x")]
    [InlineData("SELECT 'y' AS s /* ; DELETE FROM tasks */", "y")]
    [InlineData("SELECT \"update\" AS s FROM (SELECT 'z' AS \"update\")", "z")]
    [InlineData("WITH \"delete\" AS (SELECT 'w' AS s) SELECT s FROM \"delete\"", "w")]
    public async Task A_read_that_mentions_a_write_succeeds(string sql, string value)
    {
        await CallAsync("create", new { id = "q-guard", title = "guarded" });
        var before = await FingerprintAsync();
        var answer = await CallAsync("query", new { sql });
        Assert.Equal(value, String(answer.GetProperty("rows")[0], "s"));
        Assert.Equal(before, await FingerprintAsync());
    }

    [Fact]
    public async Task Sql_of_only_comments_or_a_syntax_error_is_refused_as_invalid()
    {
        var empty = await RefusedAsync("query", new { sql = "/* nothing */ ;" }, "INVALID_FIELD_VALUE");
        Assert.Equal("sql", String(empty, "field"));
        var typo = await RefusedAsync("query", new { sql = "SELEC 1" }, "INVALID_FIELD_VALUE");
        Assert.Contains("syntax error", String(typo, "message"), StringComparison.Ordinal);
        var unknown = await RefusedAsync("query", new { sql = "SELECT * FROM nowhere" }, "INVALID_FIELD_VALUE");
        Assert.Contains("no such table", String(unknown, "message"), StringComparison.Ordinal);
        await RefusedAsync("query", new { sql = "  " }, "MISSING_REQUIRED_FIELD");
        await StillAnswersAsync();
    }

    [Fact]
    public async Task A_query_past_the_time_limit_is_stopped_with_a_clear_error()
    {
        await CreateAsync("q-t1");
        var envelope = await RefusedAsync(
            "query",
            new { sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c" },
            "INVALID_FIELD_VALUE");
        Assert.Equal("sql", String(envelope, "field"));
        Assert.Contains("time limit", String(envelope, "message"), StringComparison.Ordinal);
        Assert.Equal(2000, envelope.GetProperty("details").GetProperty("time_limit_ms").GetInt64());
        await StillAnswersAsync();
    }

    [Fact]
    public async Task Queries_racing_task_creation_leave_the_read_model_following_the_store()
    {
        const int Created = 30;
        var creating = Task.Run(async () =>
        {
            for (var i = 0; i < Created; i++)
            {
                await CallAsync("create", new { id = $"q-r{i}", title = $"raced {i}" });
            }
        }, Ct);
        var querying = Enumerable.Range(0, 3).Select(q => Task.Run(async () =>
        {
            for (var n = 0; n < 5 || !creating.IsCompleted; n++)
            {
                var count = await CallAsync("query", new { sql = "SELECT count(*) AS n FROM tasks" });
                Assert.InRange(count.GetProperty("rows")[0].GetProperty("n").GetInt64(), 0, Created);
                await RefusedAsync("query", new { sql = n % 2 == 0 ? "DELETE FROM tasks" : "SELECT 1; DELETE FROM tasks" }, "INVALID_FIELD_VALUE");
            }
        }, Ct)).ToList();
        await Task.WhenAll([creating, .. querying]);

        var total = await CallAsync("query", new { sql = "SELECT count(*) AS n FROM tasks" });
        Assert.Equal(Created, total.GetProperty("rows")[0].GetProperty("n").GetInt64());
        await StillAnswersAsync();
    }

    /// <summary>The graph's rows as the read model holds them, and the tables it has.</summary>
    private async Task<string> FingerprintAsync()
    {
        var rows = await CallAsync("query", new
        {
            sql = """
                SELECT (SELECT group_concat(id || ':' || status || ':' || title || ':' || tags, ',') FROM (SELECT * FROM tasks ORDER BY id)) AS tasks,
                       (SELECT count(*) FROM task_tags) AS tags,
                       (SELECT count(*) FROM dependencies) AS deps,
                       (SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema ORDER BY name)) AS objects
                """,
        });
        var listed = Ids(await CallAsync("list_tasks", new { limit = 1000 }));
        return rows.GetProperty("rows")[0].GetRawText() + "|" + string.Join(",", listed.Order(StringComparer.Ordinal));
    }

    /// <summary>The node still answers, and its read model still applies changes: a task created now is listed.</summary>
    private async Task StillAnswersAsync()
    {
        var id = "q-after-" + Guid.NewGuid().ToString("N")[..6];
        await CallAsync("create", new { id, title = "after" });
        Assert.Contains(id, Ids(await CallAsync("list_tasks", new { limit = 1000 })));
        var found = await CallAsync("query", new { sql = "SELECT id FROM tasks WHERE id = ?", @params = new[] { id } });
        Assert.Equal([id], Column(found, "id"));
    }

    private async Task<string> TextAsync(object args)
    {
        var result = await Node.Client.CallToolAsync("query", ToolCalls.ToArguments(args), cancellationToken: Ct);
        var text = ToolCalls.Text(result);
        Assert.False(result.IsError is true, text);
        return text;
    }

    private static List<string?> Column(JsonElement answer, string column) =>
        [.. answer.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty(column).ValueKind == JsonValueKind.Null ? null : r.GetProperty(column).ToString())];
}
