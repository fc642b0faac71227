using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Errors;
using TaskGraph.Node.Hosting;

namespace TaskGraph.Node.Mcp;

/// <summary>
/// The call-tool filter every tool call passes through: unknown tool -> UNKNOWN_TOOL, schema check of the arguments,
/// then any exception from binding or the tool -> the error envelope (<see cref="ToolErrors"/>). Registered once by
/// <see cref="NodeHost"/>; tools just throw <see cref="TaskGraphException"/>.
/// </summary>
public static class ToolCallFilter
{
    /// <summary>The filter, for <c>WithRequestFilters(f =&gt; f.AddCallToolFilter(ToolCallFilter.Create))</c>.</summary>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Create(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            var toolName = request.Params?.Name ?? string.Empty;
            if (request.MatchedPrimitive is not McpServerTool tool)
            {
                return ToolErrors.Result(new ErrorEnvelope(ErrorCodes.UnknownTool, $"Unknown tool: {toolName}"));
            }

            try
            {
                foreach (var argument in request.Params?.Arguments?.Keys ?? [])
                {
                    if (ToolSchemas.Refusal(toolName, argument) is { } refusal)
                    {
                        throw TaskGraphException.Invalid(argument, refusal);
                    }
                }

                ArgumentCheck.Validate(tool.ProtocolTool.InputSchema, request.Params?.Arguments);
                return await next(request, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (McpProtocolException)
            {
                throw;
            }
            catch (Exception ex)
            {
                var envelope = ToolErrors.ToEnvelope(ex, out var unexpected);
                var logger = request.Services?.GetService<ILoggerFactory>()?.CreateLogger(typeof(ToolCallFilter)) ?? NullLogger.Instance;
                if (unexpected)
                {
                    NodeLog.ToolFailed(logger, toolName, ex);
                }
                else
                {
                    NodeLog.ToolRejected(logger, toolName, envelope.Code, envelope.Message);
                }

                return ToolErrors.Result(envelope);
            }
        };
}
