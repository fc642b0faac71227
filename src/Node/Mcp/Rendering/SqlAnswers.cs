using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using TaskGraph.Core.ReadModels;

namespace TaskGraph.Node.Mcp.Rendering;

/// <summary>
/// The three shapes of a <c>query</c> answer: JSON <c>{columns, rows[{column: value}], row_count, truncated, limit}</c>
/// (nulls kept, unlike other answers: a row lists every column); CSV (RFC 4180 quoting, a header line, and
/// <c># Results truncated at N rows</c> last when truncated); a markdown table (<c>*null*</c>, <c>|</c> escaped). Blobs
/// are base64 everywhere; infinite numbers are the strings <c>Infinity</c> and <c>-Infinity</c> in JSON.
/// </summary>
public static class SqlAnswers
{
    /// <summary>The JSON answer, as text.</summary>
    public static string Json(SqlQueryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rows = new JsonArray();
        foreach (var row in result.Rows)
        {
            var o = new JsonObject();
            for (var i = 0; i < result.Columns.Count; i++)
            {
                o[result.Columns[i]] = row[i] switch
                {
                    null => null,
                    long n => n,
                    double d when double.IsFinite(d) => d,
                    double d => d > 0 ? "Infinity" : "-Infinity",
                    byte[] blob => Convert.ToBase64String(blob),
                    var other => Convert.ToString(other, CultureInfo.InvariantCulture),
                };
            }

            rows.Add(o);
        }

        return new JsonObject
        {
            ["columns"] = new JsonArray([.. result.Columns.Select(c => (JsonNode)c)]),
            ["rows"] = rows,
            ["row_count"] = result.Rows.Count,
            ["truncated"] = result.Truncated,
            ["limit"] = result.Limit,
        }.ToJsonString(ToolJson.Options);
    }

    /// <summary>The CSV answer.</summary>
    public static string Csv(SqlQueryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder();
        sb.AppendJoin(',', result.Columns.Select(CsvField)).Append('\n');
        foreach (var row in result.Rows)
        {
            sb.AppendJoin(',', row.Select(v => v is null ? string.Empty : CsvField(Text(v)))).Append('\n');
        }

        if (result.Truncated)
        {
            sb.Append(CultureInfo.InvariantCulture, $"# Results truncated at {result.Rows.Count} rows\n");
        }

        return sb.ToString();
    }

    /// <summary>The markdown table answer.</summary>
    public static string Markdown(SqlQueryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder();
        sb.Append("| ").AppendJoin(" | ", result.Columns.Select(MarkdownCell)).Append(" |\n");
        sb.Append('|').AppendJoin('|', result.Columns.Select(_ => " --- ")).Append("|\n");
        foreach (var row in result.Rows)
        {
            sb.Append("| ").AppendJoin(" | ", row.Select(v => v is null ? "*null*" : MarkdownCell(Text(v)))).Append(" |\n");
        }

        if (result.Truncated)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n*Results truncated at {result.Rows.Count} rows*\n");
        }

        return sb.ToString();
    }

    private static string Text(object value) => value switch
    {
        byte[] blob => Convert.ToBase64String(blob),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static string CsvField(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

    private static string MarkdownCell(string text) =>
        text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings("<br>");
}
