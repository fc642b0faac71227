using System.Text.Json;
using Microsoft.Data.Sqlite;
using TaskGraph.Core.Records;

namespace TaskGraph.Core.ReadModels;

/// <summary>Small helpers over Microsoft.Data.Sqlite so the projector and the queries read as SQL.</summary>
internal static class SqlCommands
{
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

    public static int Execute(SqliteConnection db, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Create(db, sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection db, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Create(db, sql, parameters);
        var value = cmd.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public static List<T> Query<T>(SqliteConnection db, string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Create(db, sql, parameters);
        using var reader = cmd.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    /// <summary>A list as a JSON array parameter, read in SQL with <c>json_each</c> (handles empty lists, unlike <c>IN ()</c> params).</summary>
    public static string JsonList(IEnumerable<string> values) => JsonSerializer.Serialize(values.ToArray(), RecordJson.Options);

    public static string? StringOrNull(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static long? Int64OrNull(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
}
