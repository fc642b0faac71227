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
