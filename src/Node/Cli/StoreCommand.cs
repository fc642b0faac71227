using System.CommandLine;
using TaskGraph.Bus.Connection;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Storage;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Hosting;

namespace TaskGraph.Node.Cli;

/// <summary>
/// What the commands that work on a store directly (<c>token</c>, <c>audit</c>) share: the config from the root options,
/// the store opened as a node would open it, and their errors as one line with the node's exit codes.
/// </summary>
internal static class StoreCommand
{
    /// <summary>Opens the store of the (first) graph, runs <paramref name="action"/>, and closes it; returns the exit code.</summary>
    public static Task<int> RunAsync(
        ParseResult parse, string command, Func<IRecordStore, LoadedConfig, Task<int>> action, CancellationToken cancellationToken) =>
        RunEachAsync(parse, command, (stores, config) => action(stores[0].Store, config), cancellationToken, firstOnly: true);

    /// <summary>
    /// Opens the store of every graph <c>--graph</c> names (the configured one when none), runs <paramref name="action"/>
    /// on them, and closes them; returns the exit code.
    /// </summary>
    public static async Task<int> RunEachAsync(
        ParseResult parse,
        string command,
        Func<IReadOnlyList<(string Graph, IRecordStore Store)>, LoadedConfig, Task<int>> action,
        CancellationToken cancellationToken,
        bool firstOnly = false)
    {
        LoadedConfig config;
        try
        {
            config = ConfigLoader.Load(ConfigLoadOptions.FromProcess(TaskGraphCli.Overrides(parse)));
        }
        catch (ConfigException ex)
        {
            return Fail(command, $"configuration error: {ex.Message}");
        }

        using var loggers = LoggerFactory.Create(l => NodeHost.AddStderrLogging(l, LogLevel.Warning));
        try
        {
            var stores = new List<(string Graph, IRecordStore Store)>();
            try
            {
                foreach (var graph in firstOnly ? config.ServedGraphs.Take(1) : config.ServedGraphs)
                {
                    stores.Add((graph, (await StoreFactory.OpenAsync(config, graph, TimeProvider.System, loggers, cancellationToken)).Store));
                }

                return await action(stores, config);
            }
            finally
            {
                foreach (var (_, store) in stores)
                {
                    await store.DisposeAsync();
                }
            }
        }
        catch (TaskGraphException ex)
        {
            return Fail(command, ex.Message);
        }
        catch (Exception ex) when (ex is NatsStartupException or StoreUnavailableException)
        {
            await Console.Error.WriteLineAsync($"taskgraph {command}: cannot open the store: {ex.Message.ReplaceLineEndings(" ")}");
            return TaskGraphCli.StoreErrorExitCode;
        }
    }

    /// <summary>Writes <c>taskgraph COMMAND: message</c> on stderr and returns the config-error exit code.</summary>
    public static int Fail(string command, string message)
    {
        Console.Error.WriteLine($"taskgraph {command}: {message}");
        return TaskGraphCli.ConfigErrorExitCode;
    }
}
