using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskGraph.Core.Configuration;
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
        services.AddTaskGraphNode(new NodeConfig(config), (ServedGraphs?)null);

    /// <summary>
    /// Registers the config, the clock, and (when given) the served graphs: the per-graph services (the runtime, mark
    /// feed, subscriptions, store status) resolve to the graph of the message being handled. <see cref="ServedGraphsService"/>
    /// opens graphs not yet running when the host starts (register this before any transport) and runs every graph's
    /// lease sweeper and resource notifier.
    /// </summary>
    public static IServiceCollection AddTaskGraphNode(this IServiceCollection services, NodeConfig config, ServedGraphs? graphs)
    {
        services.AddSingleton(config);
        services.AddSingleton(config.Rules);
        services.TryAddSingleton(new PermissionTable(config.Loaded.Roles));
        services.TryAddSingleton(TimeProvider.System);
        if (graphs is not null)
        {
            services.AddSingleton(graphs);
            services.AddTransient(sp => sp.GetRequiredService<ServedGraphs>().Current.Status);
            services.AddTransient(sp => sp.GetRequiredService<ServedGraphs>().Current.Marks);
            services.AddTransient(sp => sp.GetRequiredService<ServedGraphs>().Current.Subscriptions);
            services.AddTransient(sp => sp.GetRequiredService<ServedGraphs>().Current.Pending);
            services.AddHostedService<ServedGraphsService>();
            services.AddHostedService<ConfigReloadService>();
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
            .WithResources<ConfigResources>()
            .WithResources<SkillResources>()
            .WithResources<WorkflowResources>()
            .WithResources<DocsIndexResources>()
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
            .WithMessageFilters(f => f.AddIncomingFilter(GraphSelectionFilter.Create))
            .WithMessageFilters(f => f.AddIncomingFilter(CallParamsFilter.Create))
            .WithRequestFilters(f => f.AddListToolsFilter(ToolProfiles.ListFilter))
            .WithRequestFilters(f => f.AddCallToolFilter(ToolProfiles.CallFilter))
            .WithRequestFilters(f => f.AddCallToolFilter(AuthorizationFilter.Create))
            .WithRequestFilters(f => f.AddCallToolFilter(AuditFilter.Create))
            .WithRequestFilters(f => f.AddCallToolFilter(PendingEventsFilter.Create))
            .WithRequestFilters(f => f.AddCallToolFilter(StaleReadFilter.Create))
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
