using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Storage;
using TaskGraph.Node.Mcp.Rendering;

namespace TaskGraph.Node.Mcp;

/// <summary>
/// The one place where exceptions become the MCP error envelope: <c>isError: true</c> with one text item holding
/// <see cref="ErrorEnvelope"/> JSON. Only <see cref="TaskGraphException"/> messages reach the agent verbatim;
/// anything unexpected becomes INTERNAL_ERROR with a generic message (the exception goes to the log).
/// </summary>
public static class ToolErrors
{
    /// <summary>The generic message for unexpected failures.</summary>
    public const string InternalMessage = "Internal error; the node's log has the details.";

    /// <summary>An error result for an envelope.</summary>
    public static CallToolResult Result(ErrorEnvelope envelope) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = JsonSerializer.Serialize(envelope, ToolJson.Options) }],
    };

    /// <summary>An error result for a domain exception.</summary>
    public static CallToolResult Result(TaskGraphException ex) => Result(ToEnvelope(ex));

    /// <summary>Maps any exception to its envelope; <paramref name="isUnexpected"/> tells the caller to log it.</summary>
    public static ErrorEnvelope ToEnvelope(Exception ex, out bool isUnexpected)
    {
        isUnexpected = false;
        switch (ex)
        {
            case TaskGraphException tg:
                return ToEnvelope(tg);
            case ConcurrencyConflictException:
                return new ErrorEnvelope(ErrorCodes.Conflict, "Another writer changed the same record at the same time; retry the call.",
                    Suggestion: "Retry the call.");
            case HubUnreachableException hub:
                return new ErrorEnvelope(ErrorCodes.HubUnreachable, "This edge node cannot reach the hub, which decides every write; nothing was sent.",
                    Details: new Dictionary<string, object?> { ["stale_since"] = hub.StaleSince.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture) },
                    Suggestion: "Reads still answer (stale); retry the write when the uplink is back.");
            case StoreUnavailableException:
                return new ErrorEnvelope(ErrorCodes.StoreUnavailable, "The task store is not reachable right now; the outcome of this call may be unknown.",
                    Suggestion: "Retry later; check the current state before repeating a write.");
            case McpException mcp when mcp is not McpProtocolException:
                // McpException messages are documented by the SDK as safe to show the remote side.
                return new ErrorEnvelope(ErrorCodes.InternalError, mcp.Message);
            default:
                isUnexpected = true;
                return new ErrorEnvelope(ErrorCodes.InternalError, InternalMessage);
        }
    }

    /// <summary>The envelope of a domain exception.</summary>
    public static ErrorEnvelope ToEnvelope(TaskGraphException ex) =>
        new(ex.Code, ex.Message, ex.Field, ex.Details, ex.BlockedBy, ex.Suggestion);
}
