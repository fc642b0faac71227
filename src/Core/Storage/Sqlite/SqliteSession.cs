using System.Globalization;
using Microsoft.Data.Sqlite;

namespace TaskGraph.Core.Storage.Sqlite;

/// <summary>
/// One open connection with its prepared commands. Not thread-safe: the store hands a session to one caller at a time,
/// and keeping it open keeps its statements prepared, so an operation costs little more than the statements themselves.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    private SqliteSession(SqliteConnection connection) => Connection = connection;

    /// <summary>The open connection.</summary>
    public SqliteConnection Connection { get; }

    /// <summary>Opens a connection and applies the per-connection pragmas.</summary>
    public static SqliteSession Open(string connectionString, SqliteStoreOptions options)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            var busyMs = (long)Math.Clamp(options.BusyTimeout.TotalMilliseconds, 0, int.MaxValue);
            var synchronous = options.Synchronous == SqliteSynchronousMode.Full ? "FULL" : "NORMAL";
            using var pragma = connection.CreateCommand();
            pragma.CommandText = string.Create(
                CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {busyMs}; PRAGMA synchronous = {synchronous};");
            pragma.ExecuteNonQuery();
            return new SqliteSession(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A cached command for <paramref name="sql"/> with the named parameters, in order.</summary>
    public SqliteCommand Command(string sql, params ReadOnlySpan<string> parameterNames)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameterNames)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            _commands.Add(sql, command);
        }

        return command;
    }

    /// <summary>Runs a statement without parameters.</summary>
    public int Execute(string sql) => Command(sql).ExecuteNonQuery();

    /// <summary>Runs a scalar query without parameters.</summary>
    public long ScalarInt64(string sql) => Convert.ToInt64(Command(sql).ExecuteScalar(), CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        Connection.Dispose();
    }
}
