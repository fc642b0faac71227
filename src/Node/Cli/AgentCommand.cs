using System.CommandLine;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using TaskGraph.Bus.Connection;
using TaskGraph.Core.Attachments;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Storage;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Cli;

/// <summary>
/// <c>taskgraph agent connect|claim|update|thinking|list-tasks|get|attach|prompts|disconnect</c>: the core agent loop
/// for agents without MCP (shell scripts, CI jobs, hooks). Each subcommand is one call of the tool of that name, with
/// the same rules and the same JSON answer on stdout; a refused call prints <c>taskgraph agent CMD: CODE: message</c>
/// on stderr and exits with the code of its kind (<see cref="ExitCodeFor"/>).
/// </summary>
/// <remarks>
/// Without <c>--url</c> the command opens the store the way <c>serve</c> does (<c>--db</c>, <c>--nats</c>, config)
/// and runs a node in this process for the one call; with <c>--url</c> it calls a running node over HTTP with
/// <c>--token</c> (or <c>TASKGRAPH_TOKEN</c>), so roles and tag scopes apply.
/// </remarks>
public static class AgentCommand
{
    /// <summary>Exit code of a bad argument (a parse error or <c>INVALID_FIELD_VALUE</c> / <c>MISSING_REQUIRED_FIELD</c>).</summary>
    public const int BadArgumentsExitCode = 2;

    /// <summary>Exit code of <c>TASK_NOT_FOUND</c>.</summary>
    public const int TaskNotFoundExitCode = 3;

    /// <summary>Exit code of <c>AGENT_NOT_FOUND</c>.</summary>
    public const int WorkerNotFoundExitCode = 4;

    /// <summary>Exit code of a claim that lost or could not be made.</summary>
    public const int ClaimFailedExitCode = 5;

    /// <summary>Exit code of <c>FORBIDDEN</c>, <c>NOT_OWNER</c> or a refused token.</summary>
    public const int PermissionDeniedExitCode = 6;

    /// <summary>Exit code of every other refusal, and of a store or node that cannot be reached.</summary>
    public const int OtherErrorExitCode = 1;

    private static readonly Option<string?> WorkerOption = new("--worker") { Description = "Your worker id (connect generates one if omitted)", Recursive = true };
    private static readonly Option<string?> UrlOption = new("--url") { Description = "Call a running node's MCP endpoint (http://host:port/mcp) instead of opening the store here", Recursive = true };
    private static readonly Option<string?> TokenOption = new("--token") { Description = "Bearer token for --url (default: the TASKGRAPH_TOKEN environment variable)", Recursive = true };

    private static readonly Option<string?> TaskOption = new("--task") { Description = "Task id" };
    private static readonly Option<string?> RequiredTaskOption = new("--task") { Description = "Task id", Required = true };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "See the tool's force" };
    private static readonly Option<string?> TagsOption = new("--tags") { Description = "Capability tags, comma-separated" };
    private static readonly Option<string?> WorkflowOption = new("--workflow") { Description = "Workflow to follow" };
    private static readonly Option<string?> OverlaysOption = new("--overlays") { Description = "Overlays on the workflow, comma-separated, in order" };
    private static readonly Option<string?> FilesOption = new("--files") { Description = "Files to mark as you claim, comma-separated" };
    private static readonly Option<string?> TagsAnyOption = new("--tags-any") { Description = "Only tasks with any of these tags, comma-separated" };
    private static readonly Option<string?> PhaseOption = new("--phase") { Description = "Phase" };
    private static readonly Option<string?> ParentOption = new("--parent") { Description = "Parent task" };
    private static readonly Option<string?> StatusOption = new("--status") { Description = "Status" };
    private static readonly Option<string?> ReasonOption = new("--reason") { Description = "Why (kept in history)" };
    private static readonly Option<bool> CascadeOption = new("--cascade") { Description = "With a terminal status: every unfinished descendant too" };
    private static readonly Option<string?> AssigneeOption = new("--assignee") { Description = "Assign to this worker" };
    private static readonly Option<string?> PromptsOption = new("--prompts") { Description = "Prompts in the answer: caller (default), all or none" };
    private static readonly Option<string?> TasksOption = new("--tasks") { Description = "Only these of your tasks, comma-separated" };
    private static readonly Option<bool> ReadyOption = new("--ready") { Description = "Only tasks ready to claim, best first" };
    private static readonly Option<string?> OwnerOption = new("--owner") { Description = "Only tasks this worker owns" };
    private static readonly Option<int?> LimitOption = new("--limit") { Description = "Page size" };
    private static readonly Option<int?> OffsetOption = new("--offset") { Description = "Skip this many" };
    private static readonly Option<string?> FormatOption = new("--format") { Description = "json (default) or markdown" };
    private static readonly Option<string> TypeOption = new("--type") { Description = "Attachment type (commit, note, gate/tests, ...)", Required = true };
    private static readonly Option<string?> ContentOption = new("--content") { Description = "The text" };
    private static readonly Option<string?> FileOption = new("--file") { Description = "A file to attach instead of --content" };
    private static readonly Option<bool> StoreAsFileOption = new("--store-as-file") { Description = "Keep the content (or the file's bytes) as a blob every node reads" };
    private static readonly Option<string?> NameOption = new("--name") { Description = "Attachment name" };
    private static readonly Option<string?> MimeOption = new("--mime") { Description = "MIME type" };
    private static readonly Option<string?> ModeOption = new("--mode") { Description = "append or replace" };
    private static readonly Option<string?> FinalStatusOption = new("--final-status") { Description = "Untimed status your tasks are released to" };
    private static readonly Argument<string> ThoughtArgument = new("thought") { Description = "What you are doing (short)" };

    /// <summary>The <c>agent</c> command with its subcommands.</summary>
    public static Command Build()
    {
        var agent = new Command("agent", "The agent loop without MCP: each subcommand is one tool call, its JSON answer on stdout.");
        agent.Options.Add(WorkerOption);
        agent.Options.Add(UrlOption);
        agent.Options.Add(TokenOption);

        agent.Subcommands.Add(Sub("connect", "Register as a worker (prints worker_id, the workflow's states).", "connect", [TagsOption, WorkflowOption, OverlaysOption, ForceOption], p => new()
        {
            ["worker_id"] = p.GetValue(WorkerOption),
            ["tags"] = List(p.GetValue(TagsOption)),
            ["workflow"] = p.GetValue(WorkflowOption),
            ["overlays"] = List(p.GetValue(OverlaysOption)),
            ["force"] = Flag(p.GetValue(ForceOption)),
        }));
        agent.Subcommands.Add(Sub("claim", "Claim --task, or without it the best ready task you qualify for.", "claim", [TaskOption, ForceOption, FilesOption, TagsAnyOption, PhaseOption, ParentOption, PromptsOption], p => new()
        {
            ["worker_id"] = p.GetValue(WorkerOption),
            ["task"] = p.GetValue(TaskOption),
            ["force"] = Flag(p.GetValue(ForceOption)),
            ["files"] = List(p.GetValue(FilesOption)),
            ["tags_any"] = List(p.GetValue(TagsAnyOption)),
            ["phase"] = p.GetValue(PhaseOption),
            ["parent"] = p.GetValue(ParentOption),
            ["prompts"] = p.GetValue(PromptsOption),
        }));
        agent.Subcommands.Add(Sub("update", "Move a task (--status, --phase, --assignee); only its owner, unless --force.", "update", [RequiredTaskOption, StatusOption, PhaseOption, AssigneeOption, ReasonOption, ForceOption, CascadeOption, PromptsOption], p => new()
        {
            ["worker_id"] = p.GetValue(WorkerOption),
            ["task"] = p.GetValue(RequiredTaskOption),
            ["status"] = p.GetValue(StatusOption),
            ["phase"] = p.GetValue(PhaseOption),
            ["assignee"] = p.GetValue(AssigneeOption),
            ["reason"] = p.GetValue(ReasonOption),
            ["force"] = Flag(p.GetValue(ForceOption)),
            ["cascade"] = Flag(p.GetValue(CascadeOption)),
            ["prompts"] = p.GetValue(PromptsOption),
        }));
        var thinking = Sub("thinking", "Heartbeat with your current thought (renews your lease).", "thinking", [TasksOption], p => new()
        {
            ["worker_id"] = p.GetValue(WorkerOption),
            ["thought"] = p.GetValue(ThoughtArgument),
            ["tasks"] = List(p.GetValue(TasksOption)),
        });
        thinking.Arguments.Add(ThoughtArgument);
        agent.Subcommands.Add(thinking);
        agent.Subcommands.Add(Sub("list-tasks", "List tasks (--ready: claimable ones, best first).", "list_tasks", [StatusOption, ReadyOption, OwnerOption, ParentOption, PhaseOption, TagsAnyOption, LimitOption, OffsetOption, FormatOption], p => new()
        {
            ["status"] = List(p.GetValue(StatusOption)),
            ["ready"] = Flag(p.GetValue(ReadyOption)),
            ["owner"] = p.GetValue(OwnerOption),
            ["parent"] = p.GetValue(ParentOption),
            ["phase"] = p.GetValue(PhaseOption),
            ["tags_any"] = List(p.GetValue(TagsAnyOption)),
            ["limit"] = p.GetValue(LimitOption),
            ["offset"] = p.GetValue(OffsetOption),
            ["format"] = p.GetValue(FormatOption),
        }));
        agent.Subcommands.Add(Sub("get", "One task, with what blocks it, its parent and children.", "get", [RequiredTaskOption, FormatOption], p => new()
        {
            ["task"] = p.GetValue(RequiredTaskOption),
            ["format"] = p.GetValue(FormatOption),
        }));
        agent.Subcommands.Add(Sub("attach", "Attach --content (or --file) to a task under --type; gates count attachments of their type.", "attach", [RequiredTaskOption, TypeOption, ContentOption, FileOption, StoreAsFileOption, NameOption, MimeOption, ModeOption], p => new()
        {
            ["worker_id"] = p.GetValue(WorkerOption),
            ["task"] = p.GetValue(RequiredTaskOption),
            ["type"] = p.GetValue(TypeOption),
            ["content"] = p.GetValue(ContentOption),
            ["file"] = p.GetValue(FileOption) is { } file ? Path.GetFullPath(file) : null,
            ["name"] = p.GetValue(NameOption),
            ["mime"] = p.GetValue(MimeOption),
            ["mode"] = p.GetValue(ModeOption),
            ["store_as_file"] = Flag(p.GetValue(StoreAsFileOption)),
        }));
        agent.Subcommands.Add(Sub("prompts", "The workflow's guidance: every trigger, or what entering --status / --phase says.", "get_prompts", [StatusOption, PhaseOption, TaskOption], p => new()
        {
            ["worker_id"] = p.GetValue(WorkerOption),
            ["status"] = p.GetValue(StatusOption),
            ["phase"] = p.GetValue(PhaseOption),
            ["task"] = p.GetValue(TaskOption),
        }));
        agent.Subcommands.Add(Sub("disconnect", "Unregister: release your tasks and file marks.", "disconnect", [FinalStatusOption], p => new()
        {
            ["worker_id"] = p.GetValue(WorkerOption),
            ["final_status"] = p.GetValue(FinalStatusOption),
        }));
        return agent;
    }

    /// <summary>Whether a parse is of an <c>agent</c> subcommand (its parse errors exit with <see cref="BadArgumentsExitCode"/>).</summary>
    internal static bool IsAgentCommand(ParseResult parse)
    {
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (result.Command.Name == "agent" && result.Parent is System.CommandLine.Parsing.CommandResult { Command: RootCommand })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The exit code for a tool's error code.</summary>
    public static int ExitCodeFor(string? code) => code switch
    {
        ErrorCodes.MissingRequiredField or ErrorCodes.InvalidFieldValue => BadArgumentsExitCode,
        ErrorCodes.TaskNotFound => TaskNotFoundExitCode,
        ErrorCodes.AgentNotFound => WorkerNotFoundExitCode,
        ErrorCodes.AlreadyClaimed or ErrorCodes.NoReadyTask or ErrorCodes.ClaimLimitReached or ErrorCodes.DependencyNotSatisfied
            or ErrorCodes.TagMismatch or ErrorCodes.LockConflict => ClaimFailedExitCode,
        ErrorCodes.Forbidden or ErrorCodes.NotOwner or ErrorCodes.LeaseExpired => PermissionDeniedExitCode,
        _ => OtherErrorExitCode,
    };

    private static Command Sub(string name, string description, string tool, Option[] options, Func<ParseResult, Dictionary<string, object?>> arguments)
    {
        var command = new Command(name, description);
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => CallAsync(parse, name, tool, arguments(parse), cancellationToken));
        return command;
    }

    private static async Task<int> CallAsync(ParseResult parse, string command, string tool, Dictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        var label = "agent " + command;
        var given = arguments.Where(a => a.Value is not null).ToDictionary(a => a.Key, a => a.Value);
        if (parse.GetValue(UrlOption) is not null && given.Remove("file", out var file) && file is string path)
        {
            // A remote node cannot read this machine's files: send the file's text as content instead.
            var (content, problem) = await ReadTextFileAsync(path, cancellationToken);
            if (content is null)
            {
                return Fail(label, problem!.Value.ExitCode, problem.Value.Message);
            }

            given["content"] = content;
            given.TryAdd("name", Path.GetFileName(path));
        }

        AgentSession session;
        try
        {
            session = await OpenAsync(parse, cancellationToken);
        }
        catch (ConfigException ex)
        {
            return Fail(label, BadArgumentsExitCode, $"configuration error: {ex.Message}");
        }
        catch (Exception ex) when (ex is NatsStartupException or StoreUnavailableException)
        {
            return Fail(label, OtherErrorExitCode, $"cannot open the store: {ex.Message.ReplaceLineEndings(" ")}");
        }
        catch (HttpRequestException ex)
        {
            var denied = ex.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden;
            return Fail(label, denied ? PermissionDeniedExitCode : OtherErrorExitCode, $"cannot reach {parse.GetValue(UrlOption)}: {ex.Message.ReplaceLineEndings(" ")}");
        }
        catch (Exception ex) when (ex is McpException or IOException or TimeoutException)
        {
            return Fail(label, OtherErrorExitCode, $"cannot reach the node: {ex.Message.ReplaceLineEndings(" ")}");
        }

        await using (session)
        {
            CallToolResult result;
            try
            {
                result = await session.CallAsync(tool, given, cancellationToken);
            }
            catch (McpException ex)
            {
                return Fail(label, OtherErrorExitCode, ex.Message.ReplaceLineEndings(" "));
            }

            var text = string.Join('\n', result.Content.OfType<TextContentBlock>().Select(b => b.Text));
            if (result.IsError is not true)
            {
                await Console.Out.WriteLineAsync(text);
                return 0;
            }

            var (code, message) = Envelope(text);
            return Fail(label, ExitCodeFor(code), code is null ? message : $"{code}: {message}");
        }
    }

    private static async Task<(string? Content, (int ExitCode, string Message)? Problem)> ReadTextFileAsync(string path, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return (null, (OtherErrorExitCode, $"{ErrorCodes.FileNotFound}: File not found: {path}"));
        }

        if (info.Length > AttachmentContents.MaxBlobBytes)
        {
            return (null, (BadArgumentsExitCode, $"{ErrorCodes.InvalidFieldValue}: --file is larger than {AttachmentContents.MaxBlobBytes / (1024 * 1024)} MiB, the most one attachment holds"));
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        try
        {
            return (new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes), null);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return (null, (BadArgumentsExitCode, $"{ErrorCodes.InvalidFieldValue}: --file {Path.GetFileName(path)} is not UTF-8 text; with --url a file is sent as text content"));
        }
    }

    private static Task<AgentSession> OpenAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (parse.GetValue(UrlOption) is { } url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
            {
                throw new ConfigException($"--url: '{url}' is not an http:// or https:// URL");
            }

            return AgentSession.OpenRemoteAsync(endpoint, parse.GetValue(TokenOption) ?? Environment.GetEnvironmentVariable("TASKGRAPH_TOKEN"), cancellationToken);
        }

        var config = ConfigLoader.Load(ConfigLoadOptions.FromProcess(TaskGraphCli.Overrides(parse)));
        return AgentSession.OpenLocalAsync(config, cancellationToken);
    }

    /// <summary>The code and message of an error envelope (the whole text when it is not one).</summary>
    private static (string? Code, string Message) Envelope(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("code", out var code))
            {
                var message = doc.RootElement.TryGetProperty("message", out var m) ? m.GetString() : null;
                return (code.GetString(), message ?? text);
            }
        }
        catch (JsonException)
        {
            // Not an envelope: the text is the message.
        }

        return (null, text.ReplaceLineEndings(" "));
    }

    private static int Fail(string command, int exitCode, string message)
    {
        Console.Error.WriteLine($"taskgraph {command}: {message}");
        return exitCode;
    }

    private static string[]? List(string? commaSeparated) =>
        commaSeparated?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool? Flag(bool value) => value ? true : null;
}
