using NATS.Client.Core;
using NATS.Client.JetStream;
using TaskGraph.Tests.Node;
using TaskGraph.Tests.Node.EndToEnd;
using TaskGraph.Tests.Node.Http;

namespace TaskGraph.Tests.Nats.Edge;

/// <summary>
/// The built <c>taskgraph</c> on a leaf node: every setup that would make a graph in the leaf's own domain, or that names
/// a domain nobody answers for, stops at start with one line, and leaves the leaf's domain empty.
/// </summary>
public sealed class EdgeStartupTests
{
    [Fact]
    public async Task A_misconfigured_domain_fails_at_start_with_one_line_and_makes_nothing()
    {
        var ct = EndToEnd.Timeout(120);
        await using var edge = await NatsEdge.StartAsync(ct);
        var work = TestPaths.TempDir("edge-start");
        var cases = new (string Name, string[] Args, int Exit, string Says)[]
        {
            ("no domain on a leaf", ["serve", "--http", "http://127.0.0.1:0", "--nats", edge.Leaf.Url, "--nats-connect-timeout", "2"], 3, "set server.nats.domain (--nats-domain)"),
            ("no domain on the hub", ["serve", "--http", "http://127.0.0.1:0", "--nats", edge.Hub.Url, "--nats-connect-timeout", "2"], 3, "serves JetStream domain 'hub'"),
            ("unknown domain", ["serve", "--http", "http://127.0.0.1:0", "--nats", edge.Leaf.Url, "--nats-domain", "nosuch", "--nats-connect-timeout", "2"], 3, "JetStream domain 'nosuch' does not answer"),
            ("not a domain name", ["serve", "--http", "http://127.0.0.1:0", "--nats", edge.Leaf.Url, "--nats-domain", "a.b", "--nats-connect-timeout", "2"], 2, "server.nats.domain"),
        };
        try
        {
            foreach (var (name, args, exit, says) in cases)
            {
                var result = await HttpNode.RunCliAsync(work, args, ct);
                var stderr = result.Stderr.Trim();
                Assert.True(result.ExitCode == exit, $"{name}: exit {result.ExitCode}, expected {exit}; stderr: {stderr}");

                // The node's log may precede it (info lines); the refusal itself is one line of its own.
                var refusal = stderr.Split('\n').Where(l => l.StartsWith("taskgraph:", StringComparison.Ordinal)).ToList();
                Assert.True(refusal.Count == 1, $"{name}: one refusal line, got: {stderr}");
                Assert.Contains(says, refusal[0], StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
            }

            foreach (var url in new[] { edge.Leaf.Url, edge.Hub.Url })
            {
                await using var client = new NatsConnection(new NatsOpts { Url = url });
                var names = new List<string>();
                await foreach (var stream in new NatsJSContext(client).ListStreamNamesAsync(cancellationToken: ct))
                {
                    names.Add(stream);
                }

                Assert.True(names.Count == 0, $"no stream was made at {url}: {string.Join(", ", names)}");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
