using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Marks;
using TaskGraph.Node.Auth;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Mcp;
using TaskGraph.Node.Resources;

namespace TaskGraph.Node.Hosting;

/// <summary>DI registration of everything a node needs besides the MCP transport.</summary>
public static class NodeServiceCollectionExtensions
{
    /// <summary>Registers the config (<see cref="NodeConfig"/>), <see cref="TimeProvider.System"/> and the Core services.</summary>
    public static IServiceCollection AddTaskGraphNode(this IServiceCollection services, LoadedConfig config) =>
        services.AddTaskGraphNode(new NodeConfig(config), null);

    /// <summary>Registers the config, the clock, and (when given) the running graph with its services and lease sweeper.</summary>
    public static IServiceCollection AddTaskGraphNode(this IServiceCollection services, NodeConfig config, GraphRuntime? graph)
    {
        services.AddSingleton(config);
        services.AddSingleton(config.Rules);
        services.TryAddSingleton(new PermissionTable(config.Loaded.Roles));
        services.TryAddSingleton(TimeProvider.System);
        if (graph is not null)
        {
            services.AddSingleton(graph);
            services.TryAddSingleton(StoreStatus.Of(graph.Store));
            services.AddSingleton(new MarkFeed(graph.Context, graph.Workers, graph.Reads));
            services.AddHostedService<LeaseSweepService>();
            services.AddSingleton<ResourceSubscriptions>();
            services.AddHostedService<ResourceNotifier>();
        }

        return services;
    }

    /// <summary>
    /// Adds the MCP server with TaskGraph's identity, instructions, the error-envelope call filter and every
    /// <c>[McpServerToolType]</c> class of the node assembly; the caller adds the transport.
    /// </summary>
    public static IMcpServerBuilder AddTaskGraphMcpServer(this IServiceCollection services) =>
        services
            .AddMcpServer(o =>
            {
                o.ServerInfo = new Implementation { Name = "taskgraph", Version = NodeHost.Version };
                o.ServerInstructions = NodeHost.Instructions;
            })
            .WithTaskGraphTools(typeof(NodeHost).Assembly)
            .WithResources<QueryResources>()
            .WithSubscribeToResourcesHandler((request, _) =>
            {
                if (request.Params?.Uri is { } uri && request.Services?.GetService<ResourceSubscriptions>() is { } subscriptions)
                {
                    subscriptions.Add(request.Server, uri);
                }

                return ValueTask.FromResult(new EmptyResult());
            })
            .WithSubscriptionsListenHandler(ListenAsync)
            .WithUnsubscribeFromResourcesHandler((request, _) =>
            {
                if (request.Params?.Uri is { } uri && request.Services?.GetService<ResourceSubscriptions>() is { } subscriptions)
                {
                    subscriptions.Remove(request.Server, uri);
                }

                return ValueTask.FromResult(new EmptyResult());
            })
            .WithMessageFilters(f => f.AddIncomingFilter(CallParamsFilter.Create))
            .WithRequestFilters(f => f.AddCallToolFilter(AuthorizationFilter.Create))
            .WithRequestFilters(f => f.AddCallToolFilter(AuditFilter.Create))
            .WithRequestFilters(f => f.AddCallToolFilter(ToolCallFilter.Create))
            .WithRequestFilters(f => f.AddCallToolFilter(FreshReadFilter.Create));

    /// <summary>
    /// A 2026-07-28 <c>subscriptions/listen</c>: acknowledges the resource subscriptions (the only kind a node delivers),
    /// then streams their updates on the request's own response until the client goes away.
    /// </summary>
    private static async ValueTask<EmptyResult> ListenAsync(RequestContext<SubscriptionsListenRequestParams> request, CancellationToken cancellationToken)
    {
        var uris = request.Params?.Notifications?.ResourceSubscriptions ?? [];
        var subscriptions = request.Services?.GetService<ResourceSubscriptions>();
        var target = NotificationTarget.Listen(request.Server, request.JsonRpcRequest.Id);
        await target.AcknowledgeAsync(subscriptions is null ? [] : uris, cancellationToken);
        if (subscriptions is null)
        {
            return new EmptyResult();
        }

        foreach (var uri in uris)
        {
            subscriptions.Add(target, uri);
        }

        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The client closed the stream.
        }
        finally
        {
            subscriptions.Forget(target);
        }

        return new EmptyResult();
    }

    /// <summary>Same as the <see cref="LoadedConfig"/> overload for a ready config without files behind it.</summary>
    public static IServiceCollection AddTaskGraphNode(this IServiceCollection services, TaskGraphConfig config) =>
        services.AddTaskGraphNode(LoadedConfig.Of(config));
}
