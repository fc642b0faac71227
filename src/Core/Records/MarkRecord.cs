namespace TaskGraph.Core.Records;

/// <summary>An advisory file mark or an exclusive <c>lock:</c> mark, stored under <c>mark.&lt;path&gt;</c>.</summary>
public sealed record MarkRecord
{
    /// <summary>Normalised absolute path, or the verbatim <c>lock:</c> name.</summary>
    public required string File { get; init; }

    /// <summary>The worker holding the mark.</summary>
    public required string Agent { get; init; }

    /// <summary>The task the mark is for, if any.</summary>
    public string? TaskId { get; init; }

    /// <summary>Why the file is marked.</summary>
    public string? Reason { get; init; }

    /// <summary>When it was marked (epoch ms).</summary>
    public long MarkedAt { get; init; }

    /// <summary>True for exclusive <c>lock:</c> marks.</summary>
    public bool IsLock { get; init; }
}
