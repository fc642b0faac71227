using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace TaskGraph.Node.Hosting;

/// <summary>
/// The node's stderr log format: one line per entry (<c>warn: Category[id] message (Exception: message)</c>). A stack
/// trace is written only for errors (a bug to report) or when debug logging is on, so an outage or a retry is a line,
/// not a screenful.
/// </summary>
public sealed class OneLineConsoleFormatter : ConsoleFormatter
{
    /// <summary>The name to select it with (<see cref="ConsoleLoggerOptions.FormatterName"/>).</summary>
    public const string FormatterName = "taskgraph";

    private readonly bool _stackTraces;

    /// <summary>Creates the formatter; <paramref name="stackTracesBelowError"/> also prints stack traces of warnings and below.</summary>
    public OneLineConsoleFormatter(bool stackTracesBelowError)
        : base(FormatterName) => _stackTraces = stackTracesBelowError;

    /// <inheritdoc />
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception) ?? string.Empty;
        var line = $"{Level(logEntry.LogLevel)}: {logEntry.Category}[{logEntry.EventId.Id}] {message.ReplaceLineEndings(" ")}";
        if (logEntry.Exception is { } ex)
        {
            line += _stackTraces || logEntry.LogLevel >= LogLevel.Error
                ? Environment.NewLine + ex
                : $" ({ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")})";
        }

        textWriter.WriteLine(line);
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
