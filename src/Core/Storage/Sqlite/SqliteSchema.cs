namespace TaskGraph.Core.Storage.Sqlite;

/// <summary>The store's tables and the statements that run against them.</summary>
internal static class SqliteSchema
{
    /// <summary><c>PRAGMA application_id</c> of a TaskGraph store ("TGRS"), so a foreign database is refused.</summary>
    public const long ApplicationId = 0x54475253;

    /// <summary><c>PRAGMA user_version</c> of the schema below.</summary>
    public const long Version = 1;

    /// <summary>The first 16 bytes of every SQLite database file.</summary>
    public const string FileHeader = "SQLite format 3\0";

    // records holds live keys only; a delete removes the row and leaves its tombstone in changes.
    // changes is the append-only log: position is the global sequence and the revision of the write it records.
    // kind: 0 = put, 1 = delete (ChangeKind). Timestamps are Unix milliseconds (UTC).
    public const string Create = """
        CREATE TABLE records(
            key TEXT PRIMARY KEY NOT NULL,
            value BLOB NOT NULL,
            revision INTEGER NOT NULL,
            updated_at INTEGER NOT NULL);
        CREATE TABLE changes(
            position INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL,
            revision INTEGER NOT NULL,
            value BLOB,
            kind INTEGER NOT NULL CHECK (kind IN (0, 1)),
            timestamp INTEGER NOT NULL);
        CREATE INDEX changes_by_key ON changes(key, position);
        """;

    // live is the volatile key space (ILivenessStore): heartbeats and cursors, outside the change log. Created on open of
    // any store (older files get it then; older builds ignore it), so it needs no schema version of its own.
    public const string CreateLive = """
        CREATE TABLE IF NOT EXISTS live(
            key TEXT PRIMARY KEY NOT NULL,
            value BLOB NOT NULL,
            revision INTEGER NOT NULL);
        """;

    public const string InsertLive = "INSERT INTO live(key, value, revision) VALUES ($key, $value, 1) ON CONFLICT(key) DO NOTHING";

    public const string UpdateLive = "UPDATE live SET value = $value, revision = revision + 1 WHERE key = $key AND revision = $expected";

    public const string DeleteLive = "DELETE FROM live WHERE key = $key";

    public const string GetLive = "SELECT value, revision FROM live WHERE key = $key";

    public const string ListLive = "SELECT key, value, revision FROM live WHERE substr(key, 1, length($prefix)) = $prefix ORDER BY key";

    // AUTOINCREMENT's high-water mark is kept too, so a position is never reused even if the log were ever trimmed.
    public const string NextPosition = """
        SELECT max(coalesce((SELECT max(position) FROM changes), 0),
                   coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)) + 1
        """;

    public const string InsertRecord =
        "INSERT INTO records(key, value, revision, updated_at) VALUES ($key, $value, $revision, $at) ON CONFLICT(key) DO NOTHING";

    public const string UpdateRecord =
        "UPDATE records SET value = $value, revision = $revision, updated_at = $at WHERE key = $key AND revision = $expected";

    public const string DeleteRecord = "DELETE FROM records WHERE key = $key AND revision = $expected";

    public const string AppendChange =
        "INSERT INTO changes(position, key, revision, value, kind, timestamp) VALUES ($position, $key, $position, $value, $kind, $at)";

    public const string GetRecord = "SELECT value, revision, updated_at FROM records WHERE key = $key";

    public const string ListFrom = "SELECT key, value, revision, updated_at FROM records WHERE key >= $from ORDER BY key";

    public const string ListRange =
        "SELECT key, value, revision, updated_at FROM records WHERE key >= $from AND key < $to ORDER BY key";

    public const string ChangesAfter =
        "SELECT position, key, revision, value, kind, timestamp FROM changes WHERE position > $after ORDER BY position LIMIT $limit";

    public const string History =
        "SELECT position, key, revision, value, kind, timestamp FROM changes WHERE key = $key AND revision > $after ORDER BY position";

    public const string Position = "SELECT coalesce(max(position), 0) FROM changes";

    public const string DataVersion = "PRAGMA data_version";
}
