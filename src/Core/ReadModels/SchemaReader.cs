using Microsoft.Data.Sqlite;

namespace TaskGraph.Core.ReadModels;

/// <summary>
/// Reads a database's tables and views for <c>get_schema</c>, from SQLite's own catalogue (<c>pragma_table_list</c>,
/// <c>pragma_table_info</c>, <c>pragma_index_list</c>, <c>pragma_foreign_key_list</c>). Left out: SQLite's own tables
/// (<c>sqlite_%</c>) and the shadow tables a virtual table keeps its data in (FTS5's <c>tasks_fts_data</c> and others),
/// which are bookkeeping, not the model.
/// </summary>
internal static class SchemaReader
{
    public static SchemaDescription Describe(SqliteConnection db)
    {
        var version = (string)SqlCommands.Scalar(db, "SELECT sqlite_version()")!;
        var tables = SqlCommands.Query(
            db,
            """
            SELECT l.name, l.type, m.sql FROM pragma_table_list AS l LEFT JOIN sqlite_schema AS m ON m.name = l.name
            WHERE l.schema = 'main' AND l.type IN ('table', 'view', 'virtual') AND l.name NOT LIKE 'sqlite\_%' ESCAPE '\'
            ORDER BY l.name
            """,
            r => (Name: r.GetString(0), Type: r.GetString(1), Sql: SqlCommands.StringOrNull(r, 2)));
        return new SchemaDescription(version, [.. tables.Select(t => new SchemaTable(t.Name, t.Type, Columns(db, t.Name), Indexes(db, t.Name), ForeignKeys(db, t.Name), t.Sql))]);
    }

    private static List<SchemaColumn> Columns(SqliteConnection db, string table) =>
        SqlCommands.Query(
            db,
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($table) ORDER BY cid",
            r => new SchemaColumn(
                r.GetString(0),
                r.GetString(1).ToUpperInvariant(),
                // A primary key is never null in this model (SQLite would allow it in a TEXT key; the projection never writes one).
                Nullable: r.GetInt64(2) == 0 && r.GetInt64(4) == 0,
                PrimaryKey: r.GetInt64(4) > 0,
                SqlCommands.StringOrNull(r, 3)),
            ("$table", table));

    private static List<SchemaIndex> Indexes(SqliteConnection db, string table)
    {
        var indexes = SqlCommands.Query(
            db,
            "SELECT name, \"unique\" FROM pragma_index_list($table) WHERE origin <> 'pk' ORDER BY name",
            r => (Name: r.GetString(0), Unique: r.GetInt64(1) == 1),
            ("$table", table));
        return [.. indexes.Select(i => new SchemaIndex(
            i.Name,
            i.Unique,
            SqlCommands.Query(db, "SELECT coalesce(name, '(expression)') FROM pragma_index_info($index) ORDER BY seqno", r => r.GetString(0), ("$index", i.Name))))];
    }

    private static List<SchemaForeignKey> ForeignKeys(SqliteConnection db, string table) =>
        SqlCommands.Query(
            db,
            "SELECT \"from\", \"table\", \"to\", on_delete, on_update FROM pragma_foreign_key_list($table) ORDER BY id, seq",
            r => new SchemaForeignKey(
                r.GetString(0),
                r.IsDBNull(2) ? r.GetString(1) : $"{r.GetString(1)}.{r.GetString(2)}",
                r.GetString(3),
                r.GetString(4)),
            ("$table", table));
}
