using TaskGraph.Core.Configuration;
using TaskGraph.Core.Errors;

namespace TaskGraph.Core.Workers;

/// <summary>
/// Applies <c>tags.unknown_tag</c>: allow, warn (returns warnings) or reject (throws). The check is on when tags are
/// defined; role tags count as known.
/// </summary>
public static class TagPolicy
{
    /// <summary>Warnings for unknown tags; throws when the policy rejects them.</summary>
    public static IReadOnlyList<string> Check(TagSettings settings, IReadOnlyList<string> tags, string field)
    {
        if (settings.UnknownTag == "allow" || settings.Definitions.Count == 0)
        {
            return [];
        }

        var unknown = tags.Where(t => !settings.IsKnown(t)).ToList();
        if (unknown.Count == 0)
        {
            return [];
        }

        if (settings.UnknownTag == "reject")
        {
            throw TaskGraphException.Invalid(field, $"Unknown tag(s): {string.Join(", ", unknown)}. Known tags: [{string.Join(", ", settings.Known)}]");
        }

        return [.. unknown.Select(t => $"Unknown tag '{t}'")];
    }
}
