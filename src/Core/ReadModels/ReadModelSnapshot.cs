using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.ReadModels;

/// <summary>
/// A read model's snapshot file (ADR 0010): an SQLite database with the read model's own tables, plus
/// <c>snapshot_meta</c> (format, schema hash, store identity, the store's first change, the applied position) and
/// <c>snapshot_revisions</c> (the newest applied revision of every key, so read-your-writes waits stay exact).
/// Loading checks all of it; anything that does not match is a reason to rebuild, never an error.
/// </summary>
internal static class ReadModelSnapshot
{
    /// <summary>The layout of the file itself (meta tables, what they hold).</summary>
    public const int FormatVersion = 1;

    /// <summary>Bump when ChangeProjector turns the same change into different rows: older snapshots are then discarded.</summary>
    public const int ProjectionVersion = 2;

    /// <summary>The rebuild reason when no snapshot file exists yet (not worth a warning).</summary>
    public const string NoSnapshotReason = "no snapshot yet";

    private const string MetaTable = "snapshot_meta";
    private const string RevisionsTable = "snapshot_revisions";

    /// <summary>The read model's DDL and projection version, hashed: a snapshot of another schema is discarded.</summary>
    public static string SchemaHash { get; } = Hash(Encoding.UTF8.GetBytes(ReadModelSchema.Ddl + "\nprojection " + ProjectionVersion.ToString(CultureInfo.InvariantCulture)));

    private static readonly Lazy<string> ExpectedTables = new(() =>
    {
        using var db = new SqliteConnection("Data Source=:memory:");
        db.Open();
        using (var ddl = db.CreateCommand())
        {
            ddl.CommandText = ReadModelSchema.Ddl;
            ddl.ExecuteNonQuery();
        }

        return Tables(db);
    });

    /// <summary>What the store's log starts with: position, key, revision and a hash of the value of its first change.</summary>
    public static string Fingerprint(RecordChange change) =>
        string.Create(CultureInfo.InvariantCulture, $"{change.Position}:{change.Key}:{change.Revision}:{Hash(change.Value.Span)}");

    /// <summary>The fingerprint of the store's first change, or null when the log is empty (never waits for one).</summary>
    public static async Task<string?> FirstChangeAsync(IRecordStore store, CancellationToken ct)
    {
        if (await store.GetPositionAsync(ct).ConfigureAwait(false) == 0)
        {
            return null;
        }

        await foreach (var change in store.WatchAsync(0, ct).ConfigureAwait(false))
        {
            return Fingerprint(change);
        }

        return null;
    }

    /// <summary>
    /// Loads a snapshot into <paramref name="memory"/> (an empty in-memory database) and checks it against the store.
    /// Returns the applied position and revisions, or null with the reason it was not used; on null the caller must
    /// discard <paramref name="memory"/>, which may hold part of the file.
    /// </summary>
    public static async Task<(Loaded? Snapshot, string Reason)> TryLoadAsync(
        SqliteConnection memory, ReadModelSnapshotOptions options, IRecordStore store, CancellationToken ct)
    {
        if (!File.Exists(options.Path))
        {
            return (null, NoSnapshotReason);
        }

        ulong position;
        string firstChange;
        var revisions = new Dictionary<string, ulong>(StringComparer.Ordinal);
        try
        {
            // One connection reads meta and content: a snapshot renamed over this one meanwhile does not mix in.
            using var file = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = options.Path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await file.OpenAsync(ct).ConfigureAwait(false);
            var meta = new Dictionary<string, string>(StringComparer.Ordinal);
            using (var read = file.CreateCommand())
            {
                read.CommandText = $"SELECT name, value FROM {MetaTable}";
                using var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    meta[reader.GetString(0)] = reader.GetString(1);
                }
            }

            if (meta.GetValueOrDefault("format") != FormatVersion.ToString(CultureInfo.InvariantCulture))
            {
                return (null, $"snapshot format {meta.GetValueOrDefault("format") ?? "missing"}, this node writes {FormatVersion}");
            }

            if (meta.GetValueOrDefault("schema") != SchemaHash)
            {
                return (null, "snapshot of another read-model schema");
            }

            if (meta.GetValueOrDefault("store") != options.StoreIdentity)
            {
                return (null, $"foreign snapshot (of {meta.GetValueOrDefault("store") ?? "an unnamed store"})");
            }

            if (!ulong.TryParse(meta.GetValueOrDefault("position"), NumberStyles.None, CultureInfo.InvariantCulture, out position) || position == 0
                || meta.GetValueOrDefault("first_change") is not { Length: > 0 } first)
            {
                return (null, "snapshot meta incomplete");
            }

            firstChange = first;
            file.BackupDatabase(memory);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return (null, "unreadable snapshot: " + OneLine(ex));
        }

        try
        {
            using (var read = memory.CreateCommand())
            {
                read.CommandText = $"SELECT key, revision FROM {RevisionsTable}";
                using var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    revisions[reader.GetString(0)] = (ulong)reader.GetInt64(1);
                }
            }

            using (var drop = memory.CreateCommand())
            {
                drop.CommandText = $"DROP TABLE {MetaTable}; DROP TABLE {RevisionsTable};";
                await drop.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            if (Tables(memory) != ExpectedTables.Value)
            {
                return (null, "snapshot tables differ from the read model's");
            }
        }
        catch (SqliteException ex)
        {
            return (null, "unreadable snapshot: " + OneLine(ex));
        }

        if (await FirstChangeAsync(store, ct).ConfigureAwait(false) != firstChange)
        {
            return (null, "the store's log does not start where the snapshot's did (another store, or purged)");
        }

        // Read after the file, so a snapshot another process wrote meanwhile is never "ahead" of what this node saw.
        var head = await store.GetPositionAsync(ct).ConfigureAwait(false);
        if (position > head)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"snapshot at position {position} is ahead of the store at {head}"));
        }

        return (new Loaded(position, revisions, firstChange), string.Empty);
    }

    /// <summary>
    /// Copies <paramref name="source"/> (the caller holds its gate and no transaction is open) into a new temporary file
    /// beside the snapshot and returns that file's open connection and path; <see cref="Finish"/> completes it.
    /// </summary>
    public static (SqliteConnection Connection, string TempPath) CopyToTemp(SqliteConnection source, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"));
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temp, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        try
        {
            connection.Open();
            using (var pragmas = connection.CreateCommand())
            {
                // A torn file is detected at load and rebuilt, so the copy need not be journaled or synced page by page.
                pragmas.CommandText = "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;";
                pragmas.ExecuteNonQuery();
            }

            source.BackupDatabase(connection);
            return (connection, temp);
        }
        catch
        {
            connection.Dispose();
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Adds the meta tables to a copied file, closes it and renames it over the snapshot (atomic on one file system).</summary>
    public static void Finish(
        SqliteConnection connection, string temp, string path, string storeIdentity, string firstChange, ulong position,
        IReadOnlyList<KeyValuePair<string, ulong>> revisions, DateTimeOffset writtenAt)
    {
        try
        {
            using (var transaction = connection.BeginTransaction())
            {
                using (var ddl = connection.CreateCommand())
                {
                    ddl.CommandText = $"""
                        CREATE TABLE {MetaTable} (name TEXT PRIMARY KEY, value TEXT NOT NULL);
                        CREATE TABLE {RevisionsTable} (key TEXT PRIMARY KEY, revision INTEGER NOT NULL) WITHOUT ROWID;
                        """;
                    ddl.ExecuteNonQuery();
                }

                using (var meta = connection.CreateCommand())
                {
                    meta.CommandText = $"INSERT INTO {MetaTable} (name, value) VALUES ($name, $value)";
                    var name = meta.Parameters.Add("$name", SqliteType.Text);
                    var value = meta.Parameters.Add("$value", SqliteType.Text);
                    foreach (var (n, v) in new[]
                    {
                        ("format", FormatVersion.ToString(CultureInfo.InvariantCulture)),
                        ("schema", SchemaHash),
                        ("store", storeIdentity),
                        ("first_change", firstChange),
                        ("position", position.ToString(CultureInfo.InvariantCulture)),
                        ("written_at", writtenAt.ToString("O", CultureInfo.InvariantCulture)),
                    })
                    {
                        name.Value = n;
                        value.Value = v;
                        meta.ExecuteNonQuery();
                    }
                }

                using (var insert = connection.CreateCommand())
                {
                    insert.CommandText = $"INSERT INTO {RevisionsTable} (key, revision) VALUES ($key, $revision)";
                    var key = insert.Parameters.Add("$key", SqliteType.Text);
                    var revision = insert.Parameters.Add("$revision", SqliteType.Integer);
                    foreach (var (k, r) in revisions)
                    {
                        key.Value = k;
                        revision.Value = (long)r;
                        insert.ExecuteNonQuery();
                    }
                }

                transaction.Commit();
            }

            connection.Close();
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        finally
        {
            connection.Dispose();
        }
    }

    /// <summary>Removes a temporary file left by a failed write.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A stray temporary file is harmless; the next write uses another name.
        }
    }

    private static string Tables(SqliteConnection db)
    {
        var sb = new StringBuilder();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            sb.Append(reader.GetString(0)).Append('|').Append(reader.GetString(1)).Append('|').Append(reader.GetString(2)).Append('|').Append(reader.GetString(3)).Append('\n');
        }

        return sb.ToString();
    }

    private static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..32];

    private static string OneLine(Exception ex) => ex.Message.ReplaceLineEndings(" ");

    /// <summary>A loaded snapshot: what it reflects.</summary>
    internal sealed record Loaded(ulong Position, Dictionary<string, ulong> Revisions, string FirstChange);
}
