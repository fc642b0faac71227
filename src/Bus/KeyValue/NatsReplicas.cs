using System.Diagnostics;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace TaskGraph.Bus.KeyValue;

/// <summary>
/// How many replicas a graph's streams get: the deployment's server count (from the server INFO), the count the options
/// ask for (null = automatic: 3 from three servers on, else 1), and bringing an existing stream to it.
/// </summary>
/// <remarks>
/// Measured on nats-server 2.9.10: a server outside a cluster sends no <c>cluster</c> and no <c>connect_urls</c> in its
/// INFO; a cluster member advertises every member's client URL, its own included, in <c>connect_urls</c>, and sends an
/// updated INFO when routes come and go. <c>$JS.API.INFO</c> (account info) says nothing about peers. A stream update
/// that changes only <c>num_replicas</c> scales an existing stream both ways (R1 to R3 and back, file and memory
/// storage). Creating R3 on a single server fails (10074), R5 on three servers fails ("no suitable peers", 10005); but
/// an update to R3 on a single server is accepted and reports R3 without a cluster, so the count must be checked here.
/// </remarks>
internal static partial class NatsReplicas
{
    /// <summary>Replicas of automatic mode in a deployment of at least this many servers.</summary>
    public const int ClusterReplicas = 3;

    private const int NoSuitablePeersError = 10005;
    private const int ReplicasNeedClusterError = 10074;
    private static readonly TimeSpan RouteGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Servers of the deployment as the INFO tells: 1 outside a cluster, else the distinct advertised client URLs; null
    /// when a cluster member advertises nothing (<c>no_advertise</c>), so only the server can judge a count.
    /// </summary>
    public static int? CountServers(INatsServerInfo? info)
    {
        if (info is null || string.IsNullOrEmpty(info.Cluster))
        {
            return 1;
        }

        var urls = info.ClientConnectUrls?.Where(u => !string.IsNullOrWhiteSpace(u)).Distinct(StringComparer.OrdinalIgnoreCase).Count() ?? 0;
        return urls == 0 ? null : urls;
    }

    /// <summary>
    /// The replica count to use, given the connected server's INFO; refuses an explicit count above the server count.
    /// In a cluster that looks too small, waits a moment first: right after a cluster forms, the INFO lists only the
    /// members whose routes are already up.
    /// </summary>
    public static async Task<(int Replicas, int? Servers)> ResolveAsync(NatsConnection connection, int? asked, string graph, CancellationToken cancellationToken)
    {
        var wanted = asked ?? ClusterReplicas;
        var servers = CountServers(connection.ServerInfo);
        var started = Stopwatch.GetTimestamp();
        while (servers < wanted && !string.IsNullOrEmpty(connection.ServerInfo?.Cluster) && Stopwatch.GetElapsedTime(started) < RouteGrace)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
            servers = CountServers(connection.ServerInfo);
        }

        if (asked is { } explicitCount)
        {
            if (servers < explicitCount)
            {
                throw TooFewServers(graph, explicitCount, servers);
            }

            return (explicitCount, servers);
        }

        // A cluster that advertises nothing gets a try at R3; the create falls back to R1 if the servers cannot place it.
        return (servers is null or >= ClusterReplicas ? ClusterReplicas : 1, servers);
    }

    /// <summary>The refusal of a replica count the deployment cannot hold.</summary>
    public static NatsReplicasException TooFewServers(string graph, int asked, int? servers, string? serverSays = null) => new(
        $"NATS replicas {asked} asked for graph '{graph}', but the deployment has "
        + (servers is { } n ? $"{n} server{(n == 1 ? string.Empty : "s")}" : "fewer servers than that")
        + (serverSays is null ? string.Empty : $" (server: {serverSays})")
        + $"; set server.nats.replicas to at most {servers ?? 1}, or remove it to choose automatically.");

    /// <summary>True when a create or update failed because the servers cannot place that many replicas.</summary>
    public static bool IsPlacementRefusal(NatsJSApiException ex) => ex.Error.ErrCode is NoSuitablePeersError or ReplicasNeedClusterError;

    /// <summary>
    /// Brings an existing stream to <paramref name="wanted"/> replicas: an explicit count scales either way, automatic mode
    /// only up (a count that looks small must never shrink a replicated graph). Returns the stream as it is afterwards;
    /// when the server refuses, logs a warning and keeps the stream as it is.
    /// </summary>
    public static async Task<INatsJSStream> ScaleAsync(
        NatsJSContext js, INatsJSStream stream, int wanted, bool isExplicit, ILogger logger, CancellationToken cancellationToken)
    {
        var config = stream.Info.Config;
        var actual = config.NumReplicas;
        if (actual == wanted || (!isExplicit && actual > wanted))
        {
            return stream;
        }

        try
        {
            var scaled = await js.UpdateStreamAsync(config with { NumReplicas = wanted }, cancellationToken).ConfigureAwait(false);
            LogScaled(logger, config.Name ?? string.Empty, actual, scaled.Info.Config.NumReplicas);
            return scaled;
        }
        catch (NatsJSApiException ex) when (ex.Error.Code < 500 || IsPlacementRefusal(ex))
        {
            LogNotScaled(logger, config.Name ?? string.Empty, actual, wanted, ex.Error.Description ?? ex.Message);
            return stream;
        }
    }

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "Stream {Stream} scaled from {From} to {To} replicas")]
    private static partial void LogScaled(ILogger logger, string stream, int from, int to);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Warning, Message = "Stream {Stream} stays at {Actual} replicas although {Wanted} were asked; the server refused to scale it: {Reason}")]
    private static partial void LogNotScaled(ILogger logger, string stream, int actual, int wanted, string reason);
}
