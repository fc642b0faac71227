using System.Diagnostics;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace TaskGraph.Bus.Connection;

/// <summary>
/// Decides, when a store opens, where the graph's JetStream domain is from the server the node talks to: none (a plain
/// server or cluster), the server's own (a node on the hub), or another one across a leaf node (an edge node). Refuses,
/// with one line, every setup that would make a graph in a leaf's own domain by mistake.
/// </summary>
public static class NatsDomains
{
    /// <summary>
    /// Returns true when the node is an edge node (the graph's domain is reached across a leaf node). Throws
    /// <see cref="NatsStartupException"/> when the server has a domain and none is configured, when the configured name is
    /// not a domain name, or when the configured domain does not answer within the options' open timeout.
    /// </summary>
    public static async Task<bool> ResolveAsync(NatsConnection connection, NatsStoreOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        var url = NatsUrls.Redact(options.Url);
        var local = await LocalDomainAsync(connection, options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        if (options.Domain is null)
        {
            return local is null
                ? false
                : throw new NatsStartupException(
                    $"NATS at {url} serves JetStream domain '{local}': set server.nats.domain (--nats-domain) to the domain that holds the graph ('{local}' for a node on the hub itself, the hub's domain for an edge node on a leaf), so that no graph is made in a leaf's own domain by mistake");
        }

        if (!IsDomainName(options.Domain))
        {
            throw new NatsStartupException($"server.nats.domain '{options.Domain}' is not a JetStream domain name (letters, digits, '-' and '_')");
        }

        if (local == options.Domain)
        {
            return false;
        }

        // An edge node: the graph's domain must answer across the leaf node before anything is read or written there.
        var hub = new NatsJSContext(connection, new NatsJSOpts(connection.Opts, requestTimeout: options.RequestTimeout, domain: options.Domain));
        var started = Stopwatch.GetTimestamp();
        string problem;
        while (true)
        {
            try
            {
                await hub.GetAccountInfoAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                problem = ex is NatsNoRespondersException ? "no responders" : ex.Message.ReplaceLineEndings(" ");
            }

            if (Stopwatch.GetElapsedTime(started) >= options.OpenTimeout)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }

        var own = local is null ? "no JetStream domain of its own" : $"its own domain is '{local}'";
        throw new NatsStartupException(
            $"JetStream domain '{options.Domain}' does not answer through NATS at {url} ({own}; {problem}) within {options.OpenTimeout.TotalSeconds:0.#} s: check server.nats.domain (--nats-domain) and the leaf node's link to the hub");
    }

    /// <summary>True for a name nats-server accepts as a JetStream domain.</summary>
    public static bool IsDomainName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The JetStream domain of the server itself (null when it has none, or no JetStream answers).</summary>
    private static async Task<string?> LocalDomainAsync(NatsConnection connection, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var local = new NatsJSContext(connection, new NatsJSOpts(connection.Opts, requestTimeout: timeout));
        try
        {
            var info = await local.GetAccountInfoAsync(cancellationToken).ConfigureAwait(false);
            return string.IsNullOrEmpty(info.Domain) ? null : info.Domain;
        }
        catch (NatsNoRespondersException)
        {
            return null;
        }
    }
}
