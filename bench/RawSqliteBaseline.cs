using System.Globalization;
using Microsoft.Data.Sqlite;

namespace TaskGraph.Bench;

/// <summary>
/// Raw Microsoft.Data.Sqlite on its own file with the store's pragmas (WAL, synchronous NORMAL, busy_timeout 5 s): one
/// connection per caller, prepared statements, one single-row <c>BEGIN IMMEDIATE; UPDATE; COMMIT</c> per operation.
/// </summary>
internal sealed class RawSqliteBaseline : IRawBaseline
{
    private readonly Caller[] _callers;

    private RawSqliteBaseline(Caller[] callers) => _callers = callers;

    /// <inheritdoc />
    public string Name => "raw BEGIN IMMEDIATE;UPDATE;COMMIT";

    /// <inheritdoc />
    public string RaceName => "raw UPDATE..WHERE owner IS NULL txn";

    /// <summary>Creates the file and its tables and opens one connection per caller.</summary>
    public static RawSqliteBaseline Open(string path, int callers)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        }.ToString();
        using (var setup = new SqliteConnection(connectionString))
        {
            setup.Open();
            using var command = setup.CreateCommand();
            command.CommandText = string.Create(CultureInfo.InvariantCulture, $"""
                PRAGMA journal_mode = WAL;
                CREATE TABLE IF NOT EXISTS t(k INTEGER PRIMARY KEY, v INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS race(k INTEGER PRIMARY KEY, owner INTEGER);
                WITH RECURSIVE s(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM s WHERE x < {callers - 1})
                INSERT OR IGNORE INTO t(k, v) SELECT x, 0 FROM s;
                """);
            command.ExecuteNonQuery();
        }

        var list = new Caller[callers];
        for (var i = 0; i < callers; i++)
        {
            list[i] = new Caller(connectionString);
        }

        return new RawSqliteBaseline(list);
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(int caller, long sequence, CancellationToken cancellationToken)
    {
        _callers[caller].Write(caller, sequence);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask PrepareRaceAsync(int rounds, CancellationToken cancellationToken)
    {
        _callers[0].Execute(string.Create(CultureInfo.InvariantCulture, $"WITH RECURSIVE s(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM s WHERE x < {rounds - 1}) INSERT OR IGNORE INTO race(k, owner) SELECT x, NULL FROM s"));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> RaceAsync(int caller, int round, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_callers[caller].Claim(caller, round));

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        foreach (var caller in _callers)
        {
            caller.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private sealed class Caller : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _begin;
        private readonly SqliteCommand _commit;
        private readonly SqliteCommand _update;
        private readonly SqliteCommand _claim;

        public Caller(string connectionString)
        {
            _connection = new SqliteConnection(connectionString);
            _connection.Open();
            Execute("PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;");
            _begin = Prepare("BEGIN IMMEDIATE");
            _commit = Prepare("COMMIT");
            _update = Prepare("UPDATE t SET v = $v WHERE k = $k", "$v", "$k");
            _claim = Prepare("UPDATE race SET owner = $o WHERE k = $k AND owner IS NULL", "$o", "$k");
        }

        public void Execute(string sql)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        public void Write(int key, long value)
        {
            _begin.ExecuteNonQuery();
            _update.Parameters[0].Value = value;
            _update.Parameters[1].Value = key;
            _update.ExecuteNonQuery();
            _commit.ExecuteNonQuery();
        }

        public bool Claim(int owner, int key)
        {
            _begin.ExecuteNonQuery();
            _claim.Parameters[0].Value = owner;
            _claim.Parameters[1].Value = key;
            var won = _claim.ExecuteNonQuery() == 1;
            _commit.ExecuteNonQuery();
            return won;
        }

        public void Dispose()
        {
            _begin.Dispose();
            _commit.Dispose();
            _update.Dispose();
            _claim.Dispose();
            _connection.Dispose();
        }

        private SqliteCommand Prepare(string sql, params string[] parameters)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            command.Prepare();
            return command;
        }
    }
}
