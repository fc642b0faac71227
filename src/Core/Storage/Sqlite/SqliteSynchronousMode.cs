namespace TaskGraph.Core.Storage.Sqlite;

/// <summary>How hard SQLite flushes a commit to disk (<c>PRAGMA synchronous</c>) in WAL mode.</summary>
public enum SqliteSynchronousMode
{
    /// <summary>Survives a process kill; a power loss may lose the last commits but never corrupts the file.</summary>
    Normal,

    /// <summary>Every commit is fsynced before it is acknowledged; survives power loss, costs several times more per write.</summary>
    Full,
}
