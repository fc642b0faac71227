using TaskGraph.Core.Errors;

namespace TaskGraph.Core.Graph;

/// <summary>The documented size limits of every input, checked before anything is written.</summary>
public static class Limits
{
    /// <summary>Task and worker ids.</summary>
    public const int IdLength = 64;

    /// <summary>Task titles.</summary>
    public const int TitleLength = 1_000;

    /// <summary>Task descriptions.</summary>
    public const int DescriptionLength = 65_536;

    /// <summary>Reasons, thoughts, mark reasons.</summary>
    public const int TextLength = 4_096;

    /// <summary>One tag.</summary>
    public const int TagLength = 64;

    /// <summary>Tags in one list.</summary>
    public const int TagCount = 64;

    /// <summary>A file path or lock name.</summary>
    public const int PathLength = 4_096;

    /// <summary>Items in one id/file list argument.</summary>
    public const int ListCount = 1_000;

    /// <summary>Checks an id: 1..64 characters, no control characters.</summary>
    public static string Id(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw TaskGraphException.Missing(field);
        }

        if (value.Length > IdLength)
        {
            throw TaskGraphException.Invalid(field, $"{field} must be at most {IdLength} characters, got {value.Length}");
        }

        NoControlCharacters(value, field);
        return value;
    }

    /// <summary>Checks a file path or lock name: at most <see cref="PathLength"/> characters, no control characters.</summary>
    public static string Path(string value, string field)
    {
        if (value.Length > PathLength)
        {
            throw TaskGraphException.Invalid(field, $"{field} must be at most {PathLength} characters, got {value.Length}");
        }

        NoControlCharacters(value, field);
        return value;
    }

    /// <summary>
    /// Refuses control characters (U+0000-U+001F, U+007F-U+009F) in names: ids, paths, tags, statuses, phases.
    /// Free text (titles, descriptions, reasons, thoughts) is checked by <see cref="Text"/>, which allows tab, newline and
    /// carriage return.
    /// </summary>
    public static void NoControlCharacters(string value, string field)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                throw TaskGraphException.Invalid(field, $"{field} must not contain control characters (found U+{(int)c:X4})");
            }
        }
    }

    /// <summary>Checks an optional text's length; control characters other than tab, newline and carriage return are refused.</summary>
    public static string? Text(string? value, string field, int max = TextLength)
    {
        if (value is null)
        {
            return value;
        }

        if (value.Length > max)
        {
            throw TaskGraphException.Invalid(field, $"{field} must be at most {max} characters, got {value.Length}");
        }

        foreach (var c in value)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                throw TaskGraphException.Invalid(field, $"{field} must not contain control characters other than tab and newline (found U+{(int)c:X4})");
            }
        }

        return value;
    }

    /// <summary>Checks a tag list: count, each tag's length, no blanks; returns it de-duplicated in order.</summary>
    public static IReadOnlyList<string> Tags(IReadOnlyList<string>? tags, string field)
    {
        if (tags is null)
        {
            return [];
        }

        if (tags.Count > TagCount)
        {
            throw TaskGraphException.Invalid(field, $"{field} may hold at most {TagCount} tags, got {tags.Count}");
        }

        foreach (var tag in tags)
        {
            if (string.IsNullOrWhiteSpace(tag) || tag.Length > TagLength)
            {
                throw TaskGraphException.Invalid(field, $"{field}: each tag must be 1..{TagLength} characters");
            }

            NoControlCharacters(tag, field);
        }

        return [.. tags.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Checks a list argument's size.</summary>
    public static IReadOnlyList<string> List(IReadOnlyList<string>? values, string field)
    {
        if (values is null)
        {
            return [];
        }

        if (values.Count > ListCount)
        {
            throw TaskGraphException.Invalid(field, $"{field} may hold at most {ListCount} items, got {values.Count}");
        }

        return values;
    }
}
