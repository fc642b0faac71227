using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ModelContextProtocol.AspNetCore;
using TaskGraph.Node.Auth;

namespace TaskGraph.Node.Hosting;

/// <summary>
/// The node's HTTP face: MCP Streamable HTTP at <c>/mcp</c> (2026-07-28 clients statelessly, older clients that
/// initialize with a session), <c>/healthz</c>, <c>/readyz</c> and the protected-resource metadata outside auth, a
/// DNS-rebinding guard in front of everything, and bearer tokens in front of <c>/mcp</c>.
/// </summary>
public static class NodeHttp
{
    private static readonly string[] BearerMethods = ["header"];

    /// <summary>The MCP endpoint's path.</summary>
    public const string McpPath = "/mcp";

    /// <summary>Builds the web host; <paramref name="configure"/> registers the node and its MCP server.</summary>
    public static IHost Build(HttpServing serving, Func<IServiceCollection, IMcpServerBuilder> configure, Action<ILoggingBuilder> logging)
    {
        ArgumentNullException.ThrowIfNull(serving);
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(logging);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        logging(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var port = serving.Url.Port;
            void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen)
            {
                if (serving.Url.Scheme == Uri.UriSchemeHttps)
                {
                    listen.UseHttps(LoadCertificate(serving));
                }
            }

            switch (serving.Url.Host)
            {
                case "localhost":
                    kestrel.ListenLocalhost(port, Listen);
                    break;
                case "0.0.0.0" or "*" or "+":
                    kestrel.ListenAnyIP(port, Listen);
                    break;
                default:
                    kestrel.Listen(System.Net.IPAddress.Parse(serving.Url.Host.Trim('[', ']')), port, Listen);
                    break;
            }
        });

        var mcp = configure(builder.Services);
        mcp.WithHttpTransport(o => o.SessionMode = HttpServerSessionMode.StatefulForInitializeClients);
        builder.Services.AddSingleton(serving);
        builder.Services.AddSingleton(new RebindingGuard(serving));
        builder.Services.AddJwtBearer();
        var app = builder.Build();
        var graphs = app.Services.GetRequiredService<ServedGraphs>();
        // The graphs open when the host starts, before the server listens; each graph's bearer check is made at its first request.
        var bearers = new ConcurrentDictionary<string, BearerAuthentication>(StringComparer.Ordinal);
        BearerAuthentication Bearer(ServedGraph graph) =>
            bearers.GetOrAdd(graph.Name, _ => new BearerAuthentication(graph.Tokens, app.Services.JwtValidatorIfConfigured()));
        app.Use(async (context, next) =>
        {
            if (context.RequestServices.GetRequiredService<RebindingGuard>().Refusal(context.Request) is { } refusal)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["code"] = "FORBIDDEN", ["message"] = refusal }, context.RequestAborted);
                return;
            }

            if (context.Request.Path.StartsWithSegments(McpPath, out var rest))
            {
                // /mcp is the default graph, /mcp/<graph> any served graph; the graph rides on the user from here on.
                var graph = rest.HasValue ? graphs.Find(rest.Value!.Trim('/')) : graphs.Default;
                if (graph is null)
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    await context.Response.WriteAsJsonAsync(
                        new Dictionary<string, string>
                        {
                            ["code"] = "NOT_FOUND",
                            ["message"] = $"this node serves no graph '{rest.Value!.Trim('/')}' (graphs: {string.Join(", ", graphs.Names)})",
                        },
                        context.RequestAborted);
                    return;
                }

                if (serving.RequireToken && !await Bearer(graph).AuthenticateAsync(context, rest.HasValue ? $"{McpPath}/{graph.Name}" : null))
                {
                    return;
                }

                context.User = ServedGraphs.Bind(context.User, graph.Name);
            }

            await next(context);
        });

        app.MapGet("/healthz", () => Results.Json(new Dictionary<string, string> { ["status"] = "ok", ["version"] = NodeHost.Version }));
        app.MapGet("/readyz", ReadyAsync);
        app.MapGet(BearerAuthentication.MetadataPath, (HttpContext context) => Metadata(context, McpPath, graphs.Names[0]));
        foreach (var name in graphs.Names)
        {
            // RFC 9728 section 3.1: the metadata of https://host/mcp/<graph> is at /.well-known/oauth-protected-resource/mcp/<graph>.
            app.MapGet($"{BearerAuthentication.MetadataPath}{McpPath}/{name}", (HttpContext context) => Metadata(context, $"{McpPath}/{name}", name));
        }

        app.MapMcp(McpPath);
        foreach (var name in graphs.Names)
        {
            app.MapMcp($"{McpPath}/{name}");
        }

        return app;
    }

    /// <summary>The MCP endpoint's URL as bound (the real port when 0 was asked).</summary>
    public static string McpUrl(IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The HTTP server has no address.");
        return address.TrimEnd('/') + McpPath;
    }

    private static async Task<IResult> ReadyAsync(ServedGraphs graphs, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        var positions = new Dictionary<string, ulong>(StringComparer.Ordinal);
        try
        {
            // The fresh-read barrier of every graph: the store's newest position, then the read model reaching it.
            foreach (var graph in graphs.All)
            {
                await graph.Runtime.CatchUpAsync(timeout.Token);
                positions[graph.Name] = graph.Runtime.AppliedPosition;
            }

            return Results.Json(new Dictionary<string, object>
            {
                ["status"] = "ready",
                ["applied_position"] = positions[graphs.Default.Name],
                ["graphs"] = positions,
            });
        }
        catch (Exception ex) when (ex is OperationCanceledException or Core.Storage.StoreUnavailableException && !cancellationToken.IsCancellationRequested)
        {
            return Results.Json(new Dictionary<string, object> { ["status"] = "store_unavailable", ["message"] = ex.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static IResult Metadata(HttpContext context, string path, string graph) => Results.Json(new Dictionary<string, object>
    {
        ["resource"] = $"{context.Request.Scheme}://{context.Request.Host}{path}",
        ["bearer_methods_supported"] = BearerMethods,
        ["resource_name"] = "TaskGraph graph " + graph,
    });

    private static X509Certificate2 LoadCertificate(HttpServing serving)
    {
        if (serving.TlsCertFile is null || serving.TlsKeyFile is null)
        {
            throw new InvalidOperationException("An https:// listen URL needs server.http.tls.cert and server.http.tls.key (PEM files).");
        }

        return X509Certificate2.CreateFromPemFile(serving.TlsCertFile, serving.TlsKeyFile);
    }
}
