namespace TaskGraph.Core.Errors;

/// <summary>The typed error codes agents see in the error envelope.</summary>
public static class ErrorCodes
{
    /// <summary>A required argument is missing.</summary>
    public const string MissingRequiredField = "MISSING_REQUIRED_FIELD";

    /// <summary>An argument has the wrong type, size or value.</summary>
    public const string InvalidFieldValue = "INVALID_FIELD_VALUE";

    /// <summary>An unknown state or an illegal transition.</summary>
    public const string InvalidState = "INVALID_STATE";

    /// <summary>No such worker.</summary>
    public const string AgentNotFound = "AGENT_NOT_FOUND";

    /// <summary>No such task.</summary>
    public const string TaskNotFound = "TASK_NOT_FOUND";

    /// <summary>The task is owned by another worker.</summary>
    public const string AlreadyClaimed = "ALREADY_CLAIMED";

    /// <summary>An id is taken.</summary>
    public const string AlreadyExists = "ALREADY_EXISTS";

    /// <summary>An exclusive lock is held by another worker.</summary>
    public const string LockConflict = "LOCK_CONFLICT";

    /// <summary>A link would close a cycle or give a task a second parent.</summary>
    public const string DependencyCycle = "DEPENDENCY_CYCLE";

    /// <summary>The worker lacks needed or wanted tags.</summary>
    public const string TagMismatch = "TAG_MISMATCH";

    /// <summary>Only the owner may do this.</summary>
    public const string NotOwner = "NOT_OWNER";

    /// <summary>Start-blocking predecessors are not done.</summary>
    public const string DependencyNotSatisfied = "DEPENDENCY_NOT_SATISFIED";

    /// <summary>A file an argument names does not exist.</summary>
    public const string FileNotFound = "FILE_NOT_FOUND";

    /// <summary>No attachment matches.</summary>
    public const string AttachmentNotFound = "ATTACHMENT_NOT_FOUND";

    /// <summary>No built-in or local skill has that name.</summary>
    public const string SkillNotFound = "SKILL_NOT_FOUND";

    /// <summary>Exit gates are not satisfied.</summary>
    public const string GatesNotSatisfied = "GATES_NOT_SATISFIED";

    /// <summary>The worker holds as many tasks as its claim limit allows.</summary>
    public const string ClaimLimitReached = "CLAIM_LIMIT_REACHED";

    /// <summary>Claim without a task found nothing this worker may claim now (details count why).</summary>
    public const string NoReadyTask = "NO_READY_TASK";

    /// <summary>A concurrent writer kept winning; the caller may retry.</summary>
    public const string Conflict = "CONFLICT";

    /// <summary>The caller's role does not permit this.</summary>
    public const string Forbidden = "FORBIDDEN";

    /// <summary>The worker's lease expired; it must reconnect.</summary>
    public const string LeaseExpired = "LEASE_EXPIRED";

    /// <summary>The store cannot be reached right now; retry later.</summary>
    public const string StoreUnavailable = "STORE_UNAVAILABLE";

    /// <summary>An edge node cannot reach the hub that decides every write; nothing was sent (reads still answer, stale).</summary>
    public const string HubUnreachable = "HUB_UNREACHABLE";

    /// <summary>No such tool.</summary>
    public const string UnknownTool = "UNKNOWN_TOOL";

    /// <summary>Something unexpected; details are in the node's log, not in the answer.</summary>
    public const string InternalError = "INTERNAL_ERROR";
}
