using Microsoft.Data.Sqlite;
using TaskGraph.Core.ReadModels;

namespace TaskGraph.Tests.ReadModels;

/// <summary>
/// The schema reader on a database of its own (the read model declares no foreign keys, views or unique indexes, so
/// their shapes are checked here): foreign keys as <c>table.column</c> with their actions, views, unique indexes, defaults,
/// and FTS5's shadow tables left out while its virtual table is kept.
/// </summary>
[Trait("Lane", "fast")]
public sealed class SchemaReaderTests
{
    [Fact]
    public void Foreign_keys_views_unique_indexes_and_defaults_are_described_and_shadow_tables_left_out()
    {
        using var db = new SqliteConnection("Data Source=:memory:");
        db.Open();
        using (var ddl = db.CreateCommand())
        {
            ddl.CommandText = """
                CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT NOT NULL);
                CREATE UNIQUE INDEX idx_parent_code ON parent (code);
                CREATE TABLE child (
                    id INTEGER PRIMARY KEY,
                    parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE,
                    owner TEXT REFERENCES parent,
                    note text DEFAULT 'none'
                );
                CREATE VIEW child_notes AS SELECT id, note FROM child;
                CREATE VIRTUAL TABLE words USING fts5 (word);
                """;
            ddl.ExecuteNonQuery();
        }

        var schema = SchemaReader.Describe(db);
        Assert.StartsWith("3.", schema.SqliteVersion, StringComparison.Ordinal);
        Assert.Equal(["child", "child_notes", "parent", "words"], schema.Tables.Select(t => t.Name));

        var child = schema.Tables.Single(t => t.Name == "child");
        Assert.Equal(
            [new SchemaForeignKey("parent_id", "parent.id", "CASCADE", "NO ACTION"), new SchemaForeignKey("owner", "parent", "NO ACTION", "NO ACTION")],
            child.ForeignKeys.OrderBy(f => f.From == "owner"));
        var note = child.Columns.Single(c => c.Name == "note");
        Assert.Equal(new SchemaColumn("note", "TEXT", Nullable: true, PrimaryKey: false, "'none'"), note);
        Assert.StartsWith("CREATE TABLE child", child.Sql, StringComparison.Ordinal);

        var parent = schema.Tables.Single(t => t.Name == "parent");
        Assert.Equal([new SchemaIndex("idx_parent_code", true, ["code"])], parent.Indexes, (a, b) => a.Name == b.Name && a.Unique == b.Unique && a.Columns.SequenceEqual(b.Columns));
        Assert.Equal("view", schema.Tables.Single(t => t.Name == "child_notes").Type);
        Assert.Equal("virtual", schema.Tables.Single(t => t.Name == "words").Type);
    }
}
