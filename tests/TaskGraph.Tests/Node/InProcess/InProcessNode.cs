using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskGraph.Bus.Connection;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Storage;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Hosting;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// A whole node in this process: the real rules over a real store (a SQLite file in a temp directory, or a NATS bucket),
/// opened and started the way <see cref="NodeHost"/> does it (<see cref="StoreFactory"/>, then
/// <see cref="GraphRuntime.StartAsync(IRecordStore, ConfigHolder, TimeProvider, string, ILoggerFactory?, TaskGraph.Core.ReadModels.ReadModelSnapshotOptions?, CancellationToken)"/>
/// with the store's snapshot options), registered with <c>AddTaskGraphNode(config, new ServedGraphs([...]))</c> and
/// <c>AddTaskGraphMcpServer()</c> (tools, filters, lease sweeper, resources), and an MCP client talking to it over two
/// in-memory pipes, as the MCP SDK's own client-server tests do. Far faster than a process over stdio, with the same
/// tool surface.
/// </summary>
/// <remarks>
/// Time: by default the system clock. Given a <see cref="FakeTimeProvider"/>, the store, the rules and the node's
/// services (lease sweeper, snapshot timer, <c>wait_for_events</c> timeouts) all run on it, so a test moves time with
/// <see cref="FakeTimeProvider.Advance"/> and nothing waits on the wall clock (a timer only fires when time is moved).
/// </remarks>
internal sealed class InProcessNode : IAsyncDisposable
{
    /// <summary>Where a test's fake clock starts (a Monday morning; any fixed instant works).</summary>
    public static readonly DateTimeOffset FakeEpoch = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private readonly IHost _host;
    private readonly string? _ownedDirectory;

    private InProcessNode(IHost host, NodeConfig config, GraphRuntime graph, McpClient client, TimeProvider time, string? ownedDirectory)
    {
        _host = host;
        Config = config;
        Graph = graph;
        Client = client;
        Time = time;
        _ownedDirectory = ownedDirectory;
    }

    /// <summary>The node's live config (a test may <see cref="NodeConfig.Replace"/> it, as a hot reload does).</summary>
    public NodeConfig Config { get; }

    /// <summary>The client, connected to the node's MCP server.</summary>
    public McpClient Client { get; }

    /// <summary>The running rules over the node's store (for reading the store directly in assertions).</summary>
    public GraphRuntime Graph { get; }

    /// <summary>The temp directory holding the node's SQLite file (or its NATS read-model cache); null for a store the caller gave.</summary>
    public string? WorkDirectory => _ownedDirectory;

    /// <summary>The node's clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>The node's clock when the test made it controllable.</summary>
    public FakeTimeProvider? FakeTime => Time as FakeTimeProvider;

    /// <summary>
    /// A node over a fresh SQLite file (<c>tasks.db</c> in a temp directory the node deletes on dispose), with
    /// <paramref name="config"/> (the defaults if null) and <paramref name="time"/> (the system clock if null).
    /// </summary>
    public static Task<InProcessNode> StartSqliteAsync(CancellationToken cancellationToken, TaskGraphConfig? config = null, FakeTimeProvider? time = null) =>
        StartSqliteAsync(LoadedConfig.Of(config ?? new TaskGraphConfig()), cancellationToken, time);

    /// <summary>
    /// A node over a fresh SQLite file as above, with node-only settings too (<paramref name="loaded"/>, for instance
    /// <c>FeedbackEnabled</c>); its <c>server.db_path</c> is replaced by the temp directory's <c>tasks.db</c>.
    /// </summary>
    public static async Task<InProcessNode> StartSqliteAsync(LoadedConfig loaded, CancellationToken cancellationToken, FakeTimeProvider? time = null)
    {
        var dir = TestPaths.TempDir("inproc");
        try
        {
            var rules = loaded.Config;
            loaded = loaded with { Config = rules with { Server = rules.Server with { DbPath = Path.Combine(dir, "tasks.db") } } };
            return await OpenAndStartAsync(loaded, (TimeProvider?)time ?? TimeProvider.System, dir, cancellationToken);
        }
        catch
        {
            Directory.Delete(dir, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// A node over the NATS server at <paramref name="natsUrl"/> (for instance a <c>NatsServerFixture</c>'s), serving
    /// <paramref name="graph"/> (use a fresh name per test); its read-model snapshot goes to a temp cache directory.
    /// </summary>
    public static async Task<InProcessNode> StartNatsAsync(
        string natsUrl, string graph, CancellationToken cancellationToken, TaskGraphConfig? config = null, FakeTimeProvider? time = null, string? domain = null)
    {
        var dir = TestPaths.TempDir("inproc-nats");
        try
        {
            var rules = config ?? new TaskGraphConfig();
            var loaded = LoadedConfig.Of(rules with { Server = rules.Server with { Store = "nats", Graph = graph } }) with
            {
                NatsUrl = natsUrl,
                Nats = new NatsStoreOptions { Url = natsUrl, Graph = graph, Domain = domain },
                CacheDir = dir,
            };
            return await OpenAndStartAsync(loaded, (TimeProvider?)time ?? TimeProvider.System, dir, cancellationToken);
        }
        catch
        {
            Directory.Delete(dir, recursive: true);
            throw;
        }
    }

    /// <summary>A node over <paramref name="store"/> (the node then owns it) with <paramref name="config"/> (default config if null), on the system clock.</summary>
    public static async Task<InProcessNode> StartAsync(IRecordStore store, TaskGraphConfig? config, CancellationToken cancellationToken)
    {
        var nodeConfig = new NodeConfig(LoadedConfig.Of(config ?? new TaskGraphConfig()));
        GraphRuntime runtime;
        try
        {
            runtime = await GraphRuntime.StartAsync(store, nodeConfig.Rules, TimeProvider.System, Environment.CurrentDirectory, null, cancellationToken);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }

        return await ServeAsync(nodeConfig, runtime, TimeProvider.System, null, cancellationToken);
    }

    /// <summary>Calls a tool that must succeed; returns its JSON body.</summary>
    public Task<JsonElement> CallAsync(string tool, object? args, CancellationToken cancellationToken) =>
        Client.CallAsync(tool, args, cancellationToken);

    /// <summary>Calls a tool; returns whether it failed and its JSON body (the result or the error envelope).</summary>
    public Task<(bool IsError, JsonElement Body)> CallRawAsync(string tool, object? args, CancellationToken cancellationToken) =>
        Client.CallRawAsync(tool, args, cancellationToken);

    /// <summary>Calls a tool that must fail; returns the whole error envelope.</summary>
    public Task<JsonElement> CallExpectErrorEnvelopeAsync(string tool, object? args, CancellationToken cancellationToken) =>
        Client.CallExpectErrorEnvelopeAsync(tool, args, cancellationToken);

    /// <summary>Calls a tool that must fail; returns the envelope's code, message and field.</summary>
    public Task<(string Code, string Message, string? Field)> CallExpectErrorAsync(string tool, object? args, CancellationToken cancellationToken) =>
        Client.CallExpectErrorAsync(tool, args, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.DisposeAsync();
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _host.StopAsync(stopping.Token);
            _host.Dispose();
        }
        finally
        {
            await Graph.DisposeAsync();
            if (_ownedDirectory is not null)
            {
                Directory.Delete(_ownedDirectory, recursive: true);
            }
        }
    }

    /// <summary>Opens the config's store and starts its runtime exactly as <see cref="NodeHost"/> does, then serves it.</summary>
    private static async Task<InProcessNode> OpenAndStartAsync(LoadedConfig loaded, TimeProvider time, string dir, CancellationToken cancellationToken)
    {
        var graph = loaded.Config.Server.Graph;
        var nodeConfig = new NodeConfig(loaded);
        var (store, _) = await StoreFactory.OpenAsync(loaded, graph, time, NullLoggerFactory.Instance, cancellationToken);
        GraphRuntime runtime;
        try
        {
            runtime = await GraphRuntime.StartAsync(
                store, nodeConfig.Rules, time, Environment.CurrentDirectory, null, StoreFactory.SnapshotOptions(loaded, graph, store), cancellationToken);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }

        return await ServeAsync(nodeConfig, runtime, time, dir, cancellationToken);
    }

    /// <summary>
    /// Hosts the node's services and MCP server over the running graph (which it then owns; the runtime's rules read
    /// <paramref name="nodeConfig"/>'s holder, as in <see cref="NodeHost"/>) and connects a client over pipes.
    /// </summary>
    private static async Task<InProcessNode> ServeAsync(NodeConfig nodeConfig, GraphRuntime runtime, TimeProvider time, string? ownedDirectory, CancellationToken cancellationToken)
    {
        IHost? host = null;
        try
        {
            var toServer = new Pipe();
            var toClient = new Pipe();
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(time);
            builder.Services.AddTaskGraphNode(nodeConfig, new ServedGraphs([new ServedGraph(nodeConfig.Current.Server.Graph, runtime, runtime.Store, "in-process")]));
            builder.Services.AddTaskGraphMcpServer().WithStreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream());
            host = builder.Build();
            await host.StartAsync(cancellationToken);
            var client = await McpClient.CreateAsync(
                new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()),
                cancellationToken: cancellationToken);
            return new InProcessNode(host, nodeConfig, runtime, client, time, ownedDirectory);
        }
        catch
        {
            host?.Dispose();
            await runtime.DisposeAsync();
            throw;
        }
    }
}
