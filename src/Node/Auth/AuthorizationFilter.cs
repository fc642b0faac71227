using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Storage;
using TaskGraph.Node.Hosting;
using TaskGraph.Node.Mcp;

namespace TaskGraph.Node.Auth;

/// <summary>
/// The one enforcement point before any tool runs, and before the arguments are checked (a bound token's identity is
/// filled in first; a refusal is the usual error envelope): the caller's role must hold the permission the tool and its arguments need, and a token bound to a
/// worker id acts only as that worker (identity arguments naming someone else are refused, absent ones are filled in).
/// A request without a token principal (stdio, or HTTP with auth off) is trusted like a local shell.
/// </summary>
public static class AuthorizationFilter
{
    /// <summary>The filter, for <c>WithRequestFilters(f =&gt; f.AddCallToolFilter(AuthorizationFilter.Create))</c>.</summary>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Create(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            if (Principal.From(request.User) is not { } principal || request.Params is not { } call || request.MatchedPrimitive is not McpServerTool tool)
            {
                return await next(request, cancellationToken);
            }

            TagScope? scope = null;
            try
            {
                await AuthorizeAsync(request, principal, call, tool, cancellationToken);
                if (principal.Tags is { Count: > 0 })
                {
                    scope = new TagScope(principal, request.Services!.GetRequiredService<ServedGraphs>().Current.Runtime.TaskQueries);
                    scope.Apply(call.Name, ToolPermissions.Of(call.Name) == Permission.Read, call.Arguments!);
                }
            }
            catch (TaskGraphException ex)
            {
                return ToolErrors.Result(ex);
            }
            catch (Exception ex) when (ex is StoreUnavailableException)
            {
                return ToolErrors.Result(ToolErrors.ToEnvelope(ex, out _));
            }

            var result = await next(request, cancellationToken);
            return scope is null ? result : scope.Filter(call.Name, result);
        };

    private static async Task AuthorizeAsync(
        RequestContext<CallToolRequestParams> request, Principal principal, CallToolRequestParams call, McpServerTool tool, CancellationToken cancellationToken)
    {
        var services = request.Services ?? throw new InvalidOperationException("A tool call has no services.");
        var table = services.GetRequiredService<PermissionTable>();
        var arguments = call.Arguments ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var actsAs = BindIdentity(principal, tool, arguments);

        var needed = ToolPermissions.Of(call.Name);
        if (call.Name == "disconnect" && (principal.WorkerId is null || actsAs != principal.WorkerId))
        {
            needed = Permission.ManageAgents;
        }

        if (needed == Permission.Update && call.Name == "update" && !table.Allows(principal.Role, Permission.Update)
            && table.Allows(principal.Role, Permission.UpdateOwned)
            && await OwnsAsync(services, principal, arguments, cancellationToken))
        {
            needed = Permission.UpdateOwned;
        }

        foreach (var permission in ToolPermissions.ExtraFor(call.Name, arguments).Prepend(needed))
        {
            if (!table.Allows(principal.Role, permission))
            {
                throw Forbidden(principal, $"role '{principal.Role}' of token '{principal.Name}' lacks permission '{permission}' needed for {call.Name}", permission);
            }
        }
    }

    /// <summary>
    /// Checks and fills the identity arguments of a bound token; returns the worker the call acts as, if known. Read
    /// tools are left alone: their <c>agent</c>/<c>worker_id</c> arguments are filters, not who is calling.
    /// </summary>
    private static string? BindIdentity(Principal principal, McpServerTool tool, IDictionary<string, JsonElement> arguments)
    {
        if (ToolPermissions.Of(tool.ProtocolTool.Name) == Permission.Read)
        {
            return null;
        }

        string? named = null;
        foreach (var name in ToolPermissions.IdentityArguments)
        {
            if (arguments.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String)
            {
                var id = value.GetString();
                if (principal.WorkerId is { } bound && id != bound)
                {
                    throw Forbidden(principal, $"token '{principal.Name}' acts as worker '{bound}' only; {name} '{id}' names another worker", Permission.ManageAgents, name);
                }

                named ??= id;
            }
        }

        if (named is null && principal.WorkerId is { } worker && PrimaryIdentity(tool) is { } primary)
        {
            arguments[primary] = JsonSerializer.SerializeToElement(worker);
            return worker;
        }

        return named;
    }

    private static string? PrimaryIdentity(McpServerTool tool) =>
        tool.ProtocolTool.InputSchema.TryGetProperty("properties", out var properties)
            ? ToolPermissions.IdentityArguments.FirstOrDefault(name => properties.TryGetProperty(name, out _))
            : null;

    private static async Task<bool> OwnsAsync(IServiceProvider services, Principal principal, IDictionary<string, JsonElement> arguments, CancellationToken cancellationToken)
    {
        if (principal.WorkerId is not { } worker
            || !arguments.TryGetValue("task", out var task) || task.ValueKind != JsonValueKind.String || task.GetString() is not { } id)
        {
            return false;
        }

        try
        {
            var record = await services.GetRequiredService<ServedGraphs>().Current.Runtime.Tasks.GetAsync(id, cancellationToken);
            return record.Owner == worker;
        }
        catch (TaskGraphException ex) when (ex.Code == ErrorCodes.TaskNotFound)
        {
            return false;
        }
    }

    private static TaskGraphException Forbidden(Principal principal, string message, string permission, string? field = null) =>
        new(ErrorCodes.Forbidden, message)
        {
            Field = field,
            Details = new Dictionary<string, object?> { ["permission"] = permission, ["role"] = principal.Role, ["token"] = principal.Name },
        };
}
