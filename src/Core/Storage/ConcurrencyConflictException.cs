namespace TaskGraph.Core.Storage;

/// <summary>
/// A compare-and-swap lost: the key's revision was not the expected one (0 = expected absent).
/// Both stores raise exactly this type.
/// </summary>
public sealed class ConcurrencyConflictException(string key, ulong expectedRevision, Exception? inner = null)
    : Exception($"Record '{key}' changed: expected revision {expectedRevision}.", inner)
{
    /// <summary>The key whose write lost.</summary>
    public string Key { get; } = key;

    /// <summary>The revision the writer expected (0 when it expected the key to be absent).</summary>
    public ulong ExpectedRevision { get; } = expectedRevision;
}
