using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TaskGraph.Core.Records;

namespace TaskGraph.Core.ReadModels;

/// <summary>
/// Small helpers over Microsoft.Data.Sqlite so the projector and the queries read as SQL. Commands are cached per
/// connection by text, so each statement is prepared once (replaying a long change log is dominated by re-preparing).
/// Callers serialize use of a connection, which makes sharing its cached commands safe.
/// </summary>
internal static class SqlCommands
{
    private const int MaxCachedStatements = 512;
    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, SqliteCommand>> Cache = new();

    public static SqliteCommand Create(SqliteConnection db, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return cmd;
    }

    public static int Execute(SqliteConnection db, string sql, params (string Name, object? Value)[] parameters) =>
        Cached(db, sql, parameters).ExecuteNonQuery();

    public static object? Scalar(SqliteConnection db, string sql, params (string Name, object? Value)[] parameters)
    {
        var value = Cached(db, sql, parameters).ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public static List<T> Query<T>(SqliteConnection db, string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var reader = Cached(db, sql, parameters).ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    /// <summary>Drops the cached commands of a connection about to be closed.</summary>
    public static void Forget(SqliteConnection db)
    {
        if (Cache.TryGetValue(db, out var commands))
        {
            foreach (var cmd in commands.Values)
            {
                cmd.Dispose();
            }

            Cache.Remove(db);
        }
    }

    private static SqliteCommand Cached(SqliteConnection db, string sql, (string Name, object? Value)[] parameters)
    {
        var commands = Cache.GetValue(db, _ => new Dictionary<string, SqliteCommand>(StringComparer.Ordinal));
        if (!commands.TryGetValue(sql, out var cmd))
        {
            cmd = db.CreateCommand();
            cmd.CommandText = sql;
            if (commands.Count < MaxCachedStatements)
            {
                commands[sql] = cmd;
            }
        }

        cmd.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return cmd;
    }

    /// <summary>A list as a JSON array parameter, read in SQL with <c>json_each</c> (handles empty lists, unlike <c>IN ()</c> params).</summary>
    public static string JsonList(IEnumerable<string> values) => JsonSerializer.Serialize(values.ToArray(), RecordJson.Options);

    public static string? StringOrNull(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static long? Int64OrNull(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
}
