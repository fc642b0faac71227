namespace TaskGraph.Core.Migration;

/// <summary>
/// A snapshot that cannot be read: not JSON, not the expected shape, a schema version this reader does not know, or a
/// field of the wrong type. The message says what is wrong and where, and is safe to show to a user.
/// </summary>
public sealed class SnapshotFormatException : Exception
{
    /// <summary>Creates the exception with a message saying what is wrong.</summary>
    public SnapshotFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message saying what is wrong and the error that revealed it.</summary>
    public SnapshotFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
