using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using TaskGraph.Core.Errors;

namespace TaskGraph.Core.ReadModels;

/// <summary>
/// Runs one caller-written SQL statement on the read model's connection, read-only as SQLite enforces it (ADR 0012):
/// an authorizer that, during a caller's statement, allows only SELECT, reads, functions (not <c>load_extension</c>)
/// and recursive CTEs; <c>sqlite3_stmt_readonly</c> (VACUUM asks the authorizer nothing when prepared); and
/// <c>PRAGMA query_only</c> while it runs. A time limit (the progress handler interrupts it), a row limit, a size limit
/// per value and per answer. The caller holds the read model's gate, so the model's own writes never run meanwhile.
/// </summary>
/// <remarks>
/// The authorizer is installed once and passes everything outside a caller's statement: installing one expires every
/// prepared statement of the connection, and FTS5 prepares its own statements (reads of its shadow tables, <c>PRAGMA
/// data_version</c>) while a query steps, so those must be allowed during a query as well.
/// </remarks>
internal sealed class SqlSandbox
{
    /// <summary>The largest string or blob a caller's statement may make or read (SQLite's length limit while it runs).</summary>
    public const int MaxValueBytes = 16 * 1024 * 1024;

    /// <summary>Once the values read pass this size, no further rows are read and the answer is marked truncated.</summary>
    public const long MaxAnswerBytes = 4 * 1024 * 1024;

    /// <summary>The message of every refused write (and of anything else that is not a read).</summary>
    public const string ReadOnlyMessage = "Only a single read-only SELECT or WITH statement is allowed";

    // Virtual machine instructions between two looks at the clock (a few microseconds of work).
    private const int ProgressInterval = 1000;

    private const int ActionDelete = 9;
    private const int ActionInsert = 18;
    private const int ActionPragma = 19;
    private const int ActionRead = 20;
    private const int ActionSelect = 21;
    private const int ActionTransaction = 22;
    private const int ActionUpdate = 23;
    private const int ActionAttach = 24;
    private const int ActionDetach = 25;
    private const int ActionAlterTable = 26;
    private const int ActionReindex = 27;
    private const int ActionAnalyze = 28;
    private const int ActionFunction = 31;
    private const int ActionSavepoint = 32;
    private const int ActionRecursive = 33;

    // Functions that reach outside the database: extension loading is off in this build anyway; this makes the refusal plain.
    private static readonly HashSet<string> DeniedFunctions = new(StringComparer.OrdinalIgnoreCase) { "load_extension", "fts3_tokenizer" };

    // The authorizer's codes for schema changes (first argument: the object's name).
    private static readonly Dictionary<int, string> SchemaActions = new()
    {
        [1] = "CREATE INDEX",
        [2] = "CREATE TABLE",
        [3] = "CREATE TEMP INDEX",
        [4] = "CREATE TEMP TABLE",
        [5] = "CREATE TEMP TRIGGER",
        [6] = "CREATE TEMP VIEW",
        [7] = "CREATE TRIGGER",
        [8] = "CREATE VIEW",
        [29] = "CREATE VIRTUAL TABLE",
        [10] = "DROP INDEX",
        [11] = "DROP TABLE",
        [12] = "DROP TEMP INDEX",
        [13] = "DROP TEMP TABLE",
        [14] = "DROP TEMP TRIGGER",
        [15] = "DROP TEMP VIEW",
        [16] = "DROP TRIGGER",
        [17] = "DROP VIEW",
        [30] = "DROP VIRTUAL TABLE",
    };

    private readonly SqliteConnection _db;
    private readonly delegate_authorizer _authorizer;
    private readonly delegate_progress _progress;

    // Set only while a caller's statement is prepared or stepped (under the read model's gate).
    private bool _active;
    private string? _denied;
    private bool _deniedOnCatalogue;
    private bool _preparing;
    private long _deadline;
    private CancellationToken _cancellation;

    public SqlSandbox(SqliteConnection db)
    {
        _db = db;
        _authorizer = Authorize;
        _progress = Progress;
        Check(raw.sqlite3_set_authorizer(db.Handle, _authorizer, null), "install the query authorizer");
    }

    /// <summary>
    /// Prepares <paramref name="sql"/> (one statement; a second is refused), binds <paramref name="parameters"/> to its
    /// placeholders in order and reads at most <paramref name="limit"/> rows within <paramref name="timeLimit"/>.
    /// </summary>
    public SqlQueryResult Run(string sql, IReadOnlyList<string> parameters, int limit, TimeSpan timeLimit, CancellationToken ct)
    {
        var handle = _db.Handle!;
        SqlCommands.Execute(_db, "PRAGMA query_only = 1");
        var previousLength = raw.sqlite3_limit(handle, raw.SQLITE_LIMIT_LENGTH, MaxValueBytes);
        _denied = null;
        _deniedOnCatalogue = false;
        _cancellation = ct;
        _deadline = Stopwatch.GetTimestamp() + (long)(timeLimit.TotalSeconds * Stopwatch.Frequency);
        _active = true;
        raw.sqlite3_progress_handler(handle, ProgressInterval, _progress, null);
        try
        {
            return Execute(handle, sql, parameters, limit, timeLimit);
        }
        finally
        {
            raw.sqlite3_progress_handler(handle, 0, null, null);
            _active = false;
            _preparing = false;
            _cancellation = default;
            raw.sqlite3_limit(handle, raw.SQLITE_LIMIT_LENGTH, previousLength);
            SqlCommands.Execute(_db, "PRAGMA query_only = 0");
        }
    }

    private SqlQueryResult Execute(sqlite3 handle, string sql, IReadOnlyList<string> parameters, int limit, TimeSpan timeLimit)
    {
        _preparing = true;
        var rc = raw.sqlite3_prepare_v2(handle, sql, out var stmt, out var tail);
        _preparing = false;
        using (stmt)
        {
            if (rc != raw.SQLITE_OK || _denied is not null)
            {
                throw Failure(handle, rc, timeLimit);
            }

            if (stmt.IsInvalid)
            {
                throw Invalid("sql holds no SQL statement (only whitespace or comments)");
            }

            if (HasAnotherStatement(handle, tail))
            {
                throw Invalid("Multiple SQL statements are not allowed; send one SELECT or WITH statement");
            }

            if (raw.sqlite3_stmt_readonly(stmt) == 0)
            {
                throw Invalid($"{ReadOnlyMessage}; this statement would write");
            }

            Bind(stmt, parameters);
            var columns = ColumnNames(stmt);
            var rows = new List<IReadOnlyList<object?>>();
            long bytes = 0;
            var truncated = false;
            while (true)
            {
                rc = raw.sqlite3_step(stmt);
                if (rc == raw.SQLITE_DONE)
                {
                    break;
                }

                if (rc != raw.SQLITE_ROW)
                {
                    throw Failure(handle, rc, timeLimit);
                }

                if (rows.Count >= limit || bytes >= MaxAnswerBytes)
                {
                    truncated = true;
                    break;
                }

                var row = new object?[columns.Count];
                for (var i = 0; i < row.Length; i++)
                {
                    (row[i], var size) = Value(stmt, i);
                    bytes += size;
                }

                rows.Add(row);
            }

            return new SqlQueryResult(columns, rows, truncated, limit);
        }
    }

    /// <summary>True when the text after the first statement holds another statement (or something that is not one).</summary>
    private static bool HasAnotherStatement(sqlite3 handle, string tail)
    {
        while (!string.IsNullOrWhiteSpace(tail))
        {
            // Preparing never runs anything; a tail of comments and semicolons prepares to no statement at all.
            var rc = raw.sqlite3_prepare_v2(handle, tail, out var next, out var rest);
            using (next)
            {
                if (rc != raw.SQLITE_OK || !next.IsInvalid)
                {
                    return true;
                }
            }

            if (rest.Length >= tail.Length)
            {
                return false;
            }

            tail = rest;
        }

        return false;
    }

    private static void Bind(sqlite3_stmt stmt, IReadOnlyList<string> parameters)
    {
        var expected = raw.sqlite3_bind_parameter_count(stmt);
        if (expected != parameters.Count)
        {
            throw new TaskGraphException(
                ErrorCodes.InvalidFieldValue,
                string.Create(CultureInfo.InvariantCulture, $"The statement has {expected} placeholder(s) but params holds {parameters.Count} value(s)"))
            { Field = "params" };
        }

        for (var i = 0; i < parameters.Count; i++)
        {
            raw.sqlite3_bind_text(stmt, i + 1, parameters[i]);
        }
    }

    /// <summary>The result's column names, made unique (a repeated name gets <c>_2</c>, <c>_3</c>…) so each row is one object.</summary>
    private static List<string> ColumnNames(sqlite3_stmt stmt)
    {
        var count = raw.sqlite3_column_count(stmt);
        var names = new List<string>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = raw.sqlite3_column_name(stmt, i).utf8_to_string() ?? string.Create(CultureInfo.InvariantCulture, $"column_{i + 1}");
            var unique = name;
            for (var n = 2; !seen.Add(unique); n++)
            {
                unique = string.Create(CultureInfo.InvariantCulture, $"{name}_{n}");
            }

            names.Add(unique);
        }

        return names;
    }

    private static (object? Value, long Size) Value(sqlite3_stmt stmt, int i)
    {
        switch (raw.sqlite3_column_type(stmt, i))
        {
            case raw.SQLITE_INTEGER:
                return (raw.sqlite3_column_int64(stmt, i), 8);
            case raw.SQLITE_FLOAT:
                return (raw.sqlite3_column_double(stmt, i), 8);
            case raw.SQLITE_TEXT:
                var text = raw.sqlite3_column_text(stmt, i).utf8_to_string() ?? string.Empty;
                return (text, text.Length);
            case raw.SQLITE_BLOB:
                var blob = raw.sqlite3_column_blob(stmt, i).ToArray();
                return (blob, blob.Length);
            default:
                return (null, 1);
        }
    }

    private TaskGraphException Failure(sqlite3 handle, int rc, TimeSpan timeLimit)
    {
        if (_denied is not null && rc != raw.SQLITE_INTERRUPT)
        {
            rc = raw.SQLITE_AUTH;
        }

        switch (rc)
        {
            case raw.SQLITE_AUTH:
                return Invalid($"{ReadOnlyMessage}; {_denied ?? "this statement does more than read"} is not allowed");
            case raw.SQLITE_INTERRUPT:
                _cancellation.ThrowIfCancellationRequested();
                return new TaskGraphException(
                    ErrorCodes.InvalidFieldValue,
                    string.Create(CultureInfo.InvariantCulture, $"The query ran past its time limit of {timeLimit.TotalSeconds:0.#} s and was stopped; narrow it or add a LIMIT"))
                {
                    Field = "sql",
                    Details = new Dictionary<string, object?> { ["time_limit_ms"] = (long)timeLimit.TotalMilliseconds },
                };
            case raw.SQLITE_TOOBIG:
                return Invalid(string.Create(CultureInfo.InvariantCulture, $"A value of the query passes {MaxValueBytes / (1024 * 1024)} MiB"));
            default:
                var message = raw.sqlite3_errmsg(handle).utf8_to_string() ?? "unknown error";
                return Invalid("SQL error: " + (message.Length > 500 ? message[..500] : message));
        }
    }

    private int Authorize(object userData, int action, utf8z first, utf8z second, utf8z database, utf8z trigger)
    {
        if (!_active)
        {
            return raw.SQLITE_OK;
        }

        switch (action)
        {
            case ActionSelect or ActionRead or ActionRecursive:
                return raw.SQLITE_OK;
            case ActionFunction when second.utf8_to_string() is { } function && !DeniedFunctions.Contains(function):
                return raw.SQLITE_OK;
            case ActionPragma when first.utf8_to_string() == "data_version" && second.utf8_to_string() is null:
                // FTS5 reads it to notice changes; a read of a counter.
                return raw.SQLITE_OK;
        }

        // A schema change asks first to write SQLite's catalogue, then names itself (CREATE TABLE x): the name says more.
        var (a, b) = (first.utf8_to_string(), second.utf8_to_string());
        var onCatalogue = action is ActionInsert or ActionUpdate or ActionDelete && a is "sqlite_master" or "sqlite_temp_master";
        if (_denied is null || (_deniedOnCatalogue && !onCatalogue))
        {
            _denied = Describe(action, a, b);
            _deniedOnCatalogue = onCatalogue;
        }

        // While preparing, a catalogue write is let through only to hear the schema change's own name next (a denial
        // stops the parse); the statement is refused for it all the same, since a denial was recorded.
        return onCatalogue && _preparing ? raw.SQLITE_OK : raw.SQLITE_DENY;
    }

    private int Progress(object userData) =>
        _cancellation.IsCancellationRequested || Stopwatch.GetTimestamp() > _deadline ? 1 : 0;

    private static string Describe(int action, string? first, string? second) => action switch
    {
        ActionInsert => $"INSERT into {first}",
        ActionUpdate => $"UPDATE of {first}",
        ActionDelete => $"DELETE from {first}",
        ActionPragma => second is null ? $"PRAGMA {first}" : $"PRAGMA {first}({second})",
        ActionTransaction => $"{first} (a transaction)",
        ActionSavepoint => "SAVEPOINT",
        ActionAttach => "ATTACH",
        ActionDetach => "DETACH",
        ActionAlterTable => $"ALTER TABLE {second}",
        ActionReindex => "REINDEX",
        ActionAnalyze => "ANALYZE",
        ActionFunction => $"the function {second}()",
        _ when SchemaActions.TryGetValue(action, out var verb) => $"{verb} {first}",
        _ => string.Create(CultureInfo.InvariantCulture, $"SQLite action {action}"),
    };

    private static TaskGraphException Invalid(string message) => TaskGraphException.Invalid("sql", message);

    private static void Check(int rc, string what)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new InvalidOperationException($"Could not {what} (SQLite error {rc}).");
        }
    }
}
