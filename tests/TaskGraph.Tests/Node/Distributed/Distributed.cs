using System.Text.Json;
using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.Distributed;

/// <summary>Shared bits of the distributed tests: graph names and starting nodes on a NATS store.</summary>
internal static class Distributed
{
    /// <summary>A graph name no other test uses, so tests sharing a nats-server never see each other's records.</summary>
    public static string NewGraph(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Starts a <c>taskgraph</c> executable on the NATS store at <paramref name="urls"/>, serving <paramref name="graph"/>.</summary>
    public static Task<NodeProcess> StartNodeAsync(string urls, string graph, CancellationToken cancellationToken, params string[] extraArgs) =>
        NodeProcess.StartAsync(cancellationToken, ["--nats", urls, "--graph", graph, .. extraArgs]);

    /// <summary>Same as <see cref="StartNodeAsync"/>, as a process the test can kill -9.</summary>
    public static Task<NodeProcess> StartKillableNodeAsync(string urls, string graph, CancellationToken cancellationToken, params string[] extraArgs) =>
        NodeProcess.StartKillableAsync(cancellationToken, ["--nats", urls, "--graph", graph, .. extraArgs]);

    /// <summary>
    /// Calls a tool that must succeed, again and again while it answers "try again": STORE_UNAVAILABLE (NATS reconnecting
    /// or electing a leader) or CONFLICT (in a cluster, a record stays fenced until an unanswered write on it can no longer
    /// land). Only for calls that are safe to repeat: an unanswered write may have landed.
    /// </summary>
    public static async Task<JsonElement> CallUntilAnsweredAsync(NodeProcess node, string tool, object args, CancellationToken cancellationToken)
    {
        JsonElement result = default;
        await UntilAsync(async () =>
        {
            var (isError, body) = await node.CallRawAsync(tool, args, cancellationToken);
            if (isError && String(body, "code") is "STORE_UNAVAILABLE" or "CONFLICT")
            {
                return false;
            }

            result = isError ? throw new InvalidOperationException($"{tool} failed: {body.GetRawText()}") : body;
            return true;
        }, $"{tool} reaches the store", cancellationToken);
        return result;
    }
}
