using TaskGraph.Core.Errors;
using TaskGraph.Core.Records;

namespace TaskGraph.Core.Workflows;

/// <summary>
/// The exit gates of a status or phase change, decided from the task alone: a gate is satisfied when the task has an
/// attachment of its type (inline attachments of the same update count, they are on the task already). Gates of the
/// old status are checked when the status changes, gates of the old phase when the phase changes. Unsatisfied reject
/// gates refuse the change; warn gates refuse it unless <c>force</c> (then they warn); allow gates warn.
/// </summary>
public static class GateCheck
{
    /// <summary>The gate key of a status.</summary>
    public static string StatusKey(string status) => "status:" + status;

    /// <summary>The gate key of a phase.</summary>
    public static string PhaseKey(string phase) => "phase:" + phase;

    /// <summary>The gates of <paramref name="key"/> that <paramref name="task"/> does not satisfy.</summary>
    public static IReadOnlyList<GateDefinition> Unsatisfied(WorkflowDefinition workflow, TaskRecord task, string key)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(task);
        if (!workflow.Gates.TryGetValue(key, out var gates))
        {
            return [];
        }

        var types = new HashSet<string>((task.Attachments ?? []).Select(a => a.Type), StringComparer.Ordinal);
        return [.. gates.Where(g => !types.Contains(g.Type))];
    }

    /// <summary>
    /// Checks the exit gates of moving <paramref name="before"/> to <paramref name="after"/> (attachments as on
    /// <paramref name="after"/>); throws GATES_NOT_SATISFIED when refused, else returns the warnings.
    /// </summary>
    public static IReadOnlyList<string> Exit(WorkflowDefinition workflow, TaskRecord before, TaskRecord after, bool force)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var warnings = new List<string>();
        if (after.Status != before.Status)
        {
            Apply(Unsatisfied(workflow, after, StatusKey(before.Status)), "status", before.Status, after.Id, force, warnings);
        }

        if (after.Phase != before.Phase && before.Phase is { } phase)
        {
            Apply(Unsatisfied(workflow, after, PhaseKey(phase)), "phase", phase, after.Id, force, warnings);
        }

        return warnings;
    }

    /// <summary>check_gates' verdict on the unsatisfied gates: fail when one rejects, warn when one warns, else pass.</summary>
    public static string Verdict(IReadOnlyList<GateDefinition> unsatisfied)
    {
        ArgumentNullException.ThrowIfNull(unsatisfied);
        return unsatisfied.Any(g => g.Enforcement == "reject") ? "fail"
            : unsatisfied.Any(g => g.Enforcement == "warn") ? "warn"
            : "pass";
    }

    private static void Apply(IReadOnlyList<GateDefinition> unsatisfied, string what, string value, string taskId, bool force, List<string> warnings)
    {
        if (unsatisfied.Count == 0)
        {
            return;
        }

        var rejected = unsatisfied.Where(g => g.Enforcement == "reject").ToList();
        var warned = unsatisfied.Where(g => g.Enforcement == "warn").ToList();
        var allowed = unsatisfied.Where(g => g.Enforcement == "allow").ToList();
        if (rejected.Count > 0)
        {
            throw Refused($"Cannot exit {what} '{value}': unsatisfied gates: {List(rejected)}", taskId, rejected);
        }

        if (warned.Count > 0)
        {
            if (!force)
            {
                throw Refused($"Cannot exit {what} '{value}' without force=true: unsatisfied gates: {List(warned)}", taskId, warned);
            }

            warnings.Add($"Proceeding despite unsatisfied {what} gates (force=true): {List(warned)}");
        }

        if (allowed.Count > 0)
        {
            warnings.Add($"Optional {what} gates not satisfied: {List(allowed)}");
        }
    }

    private static string List(IEnumerable<GateDefinition> gates) =>
        string.Join(", ", gates.Select(g => g.Description is { } d ? $"{g.Type} ({d})" : g.Type));

    private static TaskGraphException Refused(string message, string taskId, List<GateDefinition> gates) =>
        new(ErrorCodes.GatesNotSatisfied, message)
        {
            Field = "status",
            Suggestion = $"attach(task=\"{taskId}\", type=\"{gates[0].Type}\", content=...) first",
            Details = new Dictionary<string, object?>
            {
                ["gates"] = gates.Select(g => new Dictionary<string, object?> { ["type"] = g.Type, ["enforcement"] = g.Enforcement, ["description"] = g.Description }).ToList(),
            },
        };
}
