using TaskGraph.Core.Errors;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Tasks;

/// <summary>How a store failure bears on a write's outcome: unknown (it may have landed) or merely an interrupted follow-up.</summary>
internal static class StoreFaults
{
    /// <summary>The write may have landed: the store timed out, or the caller gave up mid-write.</summary>
    public static bool IsOutcomeUnknown(Exception ex) =>
        ex is OperationCanceledException || ex is TaskGraphException { Code: ErrorCodes.StoreUnavailable };

    /// <summary>An outage or a lost race in the steps after a change that has landed.</summary>
    public static bool IsAftermathFault(Exception ex) =>
        ex is StoreUnavailableException or ConcurrencyConflictException
        || ex is TaskGraphException { Code: ErrorCodes.StoreUnavailable or ErrorCodes.Conflict };
}
