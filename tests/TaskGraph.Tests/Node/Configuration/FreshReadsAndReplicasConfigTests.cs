using TaskGraph.Node.Configuration;

namespace TaskGraph.Tests.Node.Configuration;

/// <summary><c>server.reads</c> (fresh | local) and the optional <c>server.nats.replicas</c>.</summary>
[Trait("Lane", "fast")]
public sealed class FreshReadsAndReplicasConfigTests : IDisposable
{
    private readonly string _root = TestPaths.TempDir("reads-config");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Reads_default_to_fresh()
    {
        Assert.Equal("fresh", Load(null).Config.Server.Reads);
    }

    [Fact]
    public void Reads_local_is_accepted()
    {
        Assert.Equal("local", Load("server:\n  reads: local\n").Config.Server.Reads);
    }

    [Fact]
    public void An_unknown_reads_mode_stops_the_node_naming_the_key()
    {
        var ex = Assert.Throws<ConfigException>(() => Load("server:\n  reads: sometimes\n"));
        Assert.Contains("server.reads", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Replicas_absent_means_automatic_and_an_explicit_count_is_kept()
    {
        Assert.Null(Load("server:\n  nats:\n    url: nats://127.0.0.1:1\n").Nats!.Replicas);
        Assert.Equal(3, Load("server:\n  nats:\n    url: nats://127.0.0.1:1\n    replicas: 3\n").Nats!.Replicas);
        Assert.Contains("server.nats.replicas", Assert.Throws<ConfigException>(() => Load("server:\n  nats:\n    url: nats://127.0.0.1:1\n    replicas: 2\n")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_config_documents_reads_fresh_and_automatic_replicas()
    {
        var shipped = File.ReadAllText(Path.Combine(TestPaths.ShippedConfig, "config.yaml"));
        Assert.Contains("  reads: fresh\n", shipped, StringComparison.Ordinal);
        Assert.Contains("    replicas: ~\n", shipped, StringComparison.Ordinal);
    }

    private LoadedConfig Load(string? project)
    {
        var projectDir = Path.Combine(_root, "project");
        Directory.CreateDirectory(Path.Combine(projectDir, "task-graph"));
        if (project is not null)
        {
            File.WriteAllText(Path.Combine(projectDir, "task-graph", "config.yaml"), project);
        }

        return ConfigLoader.Load(new ConfigLoadOptions { ProjectDirectory = projectDir, UserDirectory = Path.Combine(_root, "user") });
    }
}
