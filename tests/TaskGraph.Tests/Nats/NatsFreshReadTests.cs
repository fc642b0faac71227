using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Tasks;

namespace TaskGraph.Tests.Nats;

/// <summary>Fresh reads across nodes on NATS: a write acknowledged through one runtime is in the next read of another after its catch-up.</summary>
[Collection(NatsServerCollection.Name)]
public sealed class NatsFreshReadTests(NatsServerFixture fixture, ITestOutputHelper output)
{
    private const int Rounds = 200;

    [Fact]
    public async Task A_write_acknowledged_through_runtime_A_is_seen_by_runtime_B_after_its_catch_up_in_every_round()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var graph = "fresh" + Guid.NewGuid().ToString("N")[..12];
        var config = new ConfigHolder(new TaskGraphConfig());
        var directory = Path.Combine(Path.GetTempPath(), "taskgraph-fresh", graph);
        Directory.CreateDirectory(directory);
        await using var a = await GraphRuntime.StartAsync(await OpenAsync(graph, "a", cts.Token), config, TimeProvider.System, directory, null, cts.Token);
        await using var b = await GraphRuntime.StartAsync(await OpenAsync(graph, "b", cts.Token), config, TimeProvider.System, directory, null, cts.Token);

        var lagging = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var id = $"fresh-{round:D3}";
            await a.Tasks.CreateAsync(new CreateTaskRequest { Id = id, Title = "Written through A" }, cts.Token);
            if (b.Reads.GetTask(id) is null)
            {
                lagging++;
            }

            await b.Reads.CatchUpAsync(cts.Token);
            Assert.True(b.Reads.GetTask(id) is not null, $"round {round}: B's read after its catch-up misses {id}, acknowledged through A");
        }

        // Without the barrier, B's read model misses A's newest write this often (it follows the stream asynchronously).
        output.WriteLine($"B's read model had not yet applied A's write before the catch-up in {lagging} of {Rounds} rounds");
    }

    private async Task<NatsRecordStore> OpenAsync(string graph, string node, CancellationToken cancellationToken) =>
        await NatsRecordStore.OpenAsync(new NatsStoreOptions { Url = fixture.Server.Url, Graph = graph, Name = "fresh-" + node }, null, cancellationToken);
}
