namespace TaskGraph.Core.Records;

/// <summary>
/// The kinds of change a task revision records in <c>change.kind</c> (<see cref="TaskChange.Kind"/>). They are part of
/// the public event payload and of history answers, so their spelling never changes. Claim-moving kinds are also the
/// <c>how</c> of a fenced claim (<see cref="FencedClaim"/>).
/// </summary>
public static class ChangeKinds
{
    /// <summary>The task was created.</summary>
    public const string Create = "create";

    /// <summary>Fields changed, not the status or phase.</summary>
    public const string Update = "update";

    /// <summary>The status changed (the owner did not).</summary>
    public const string Status = "status";

    /// <summary>The phase changed.</summary>
    public const string Phase = "phase";

    /// <summary>A worker claimed the unowned task.</summary>
    public const string Claim = "claim";

    /// <summary>The owner gave the task up (or finished it, leaving it unowned).</summary>
    public const string Release = "release";

    /// <summary>Another worker claimed the task after its owner's lease had lapsed.</summary>
    public const string Takeover = "takeover";

    /// <summary>Another worker took the task from a live owner with <c>force</c>.</summary>
    public const string Force = "force";

    /// <summary>The task was assigned to a worker by someone else.</summary>
    public const string Assign = "assign";

    /// <summary>A stale-worker sweeper released the task of a worker whose lease had lapsed.</summary>
    public const string Evict = "evict";

    /// <summary>The owner reported what it is doing (<c>thinking</c>).</summary>
    public const string Thought = "thought";

    /// <summary>The task moved on by itself when its last blocker completed.</summary>
    public const string AutoAdvance = "auto-advance";

    /// <summary>A parent moved to completed because its last unfinished child finished (auto_rollup).</summary>
    public const string Rollup = "rollup";

    /// <summary>A descendant moved with its ancestor by <c>update(cascade=true)</c>.</summary>
    public const string Cascade = "cascade";

    /// <summary>The task was (soft-)deleted.</summary>
    public const string Delete = "delete";

    /// <summary>The task got a new id (this revision is the first under it).</summary>
    public const string Rename = "rename";

    /// <summary>Cost and metrics were added to the task (<c>log_metrics</c>).</summary>
    public const string Metrics = "metrics";

    /// <summary>Attachments were added (<c>attach</c>).</summary>
    public const string Attach = "attach";

    /// <summary>Attachments were removed (<c>detach</c>).</summary>
    public const string Detach = "detach";
}
