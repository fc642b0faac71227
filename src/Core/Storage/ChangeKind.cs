namespace TaskGraph.Core.Storage;

/// <summary>What a change did to its key.</summary>
public enum ChangeKind
{
    /// <summary>The key was created or updated.</summary>
    Put,

    /// <summary>The key was deleted.</summary>
    Delete,
}
