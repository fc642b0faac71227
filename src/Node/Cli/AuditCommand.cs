using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TaskGraph.Core.Queries;
using TaskGraph.Node.Tools;

namespace TaskGraph.Node.Cli;

/// <summary><c>taskgraph audit [--principal P] [--tool T] [--since 2h|2026-12-01T10:00Z] [--json]</c>: the audit trail.</summary>
public static class AuditCommand
{
    private static readonly Option<string?> PrincipalOption = new("--principal") { Description = "Only writes of this token name (or 'stdio')" };
    private static readonly Option<string?> ToolOption = new("--tool") { Description = "Only writes made by this tool" };
    private static readonly Option<string?> SinceOption = new("--since") { Description = "Only writes since this time: a duration ago (30m, 2h, 7d) or an ISO 8601 time" };
    private static readonly Option<int> LimitOption = new("--limit") { Description = "Most entries (default 1000)", DefaultValueFactory = _ => 1000 };
    private static readonly Option<bool> JsonOption = new("--json") { Description = "One JSON array on stdout" };

    /// <summary>The <c>audit</c> command.</summary>
    public static Command Build()
    {
        var audit = new Command("audit", "Show who changed what (every write made by a tool call), from the store's own log.");
        foreach (var option in new Option[] { PrincipalOption, ToolOption, SinceOption, LimitOption, JsonOption })
        {
            audit.Options.Add(option);
        }

        audit.SetAction(RunAsync);
        return audit;
    }

    private static Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken) =>
        StoreCommand.RunAsync(parse, "audit", async (store, _) =>
        {
            DateTimeOffset? from = null;
            if (parse.GetValue(SinceOption) is { } since)
            {
                if (Auth.TokenStore.ParseDuration(since) is { } ago)
                {
                    from = DateTimeOffset.UtcNow - ago;
                }
                else if (DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                {
                    from = at;
                }
                else
                {
                    return StoreCommand.Fail("audit", $"--since: '{since}' is neither a duration (30m, 2h, 7d) nor an ISO 8601 time");
                }
            }

            var entries = await new AuditLog(store).ReadAsync(0, parse.GetValue(PrincipalOption), parse.GetValue(ToolOption), from, Math.Max(1, parse.GetValue(LimitOption)), cancellationToken);
            if (parse.GetValue(JsonOption))
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(entries.Select(AuditTools.Row)));
                return 0;
            }

            foreach (var e in entries)
            {
                var at = DateTimeOffset.FromUnixTimeMilliseconds(e.At).ToString("u", CultureInfo.InvariantCulture);
                await Console.Out.WriteLineAsync($"{at}\t{e.Position}\t{e.Stamp.Principal}\t{e.Stamp.Role ?? "-"}\t{e.Stamp.Tool}\t{e.Key}\t{e.Stamp.Digest}");
            }

            return 0;
        }, cancellationToken);
}
