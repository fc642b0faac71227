using TaskGraph.Tests.Node.Hosting;

namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>One node process shared by the tests of a class (they run one after another and use their own task ids).</summary>
public class NodeFixture : IAsyncLifetime
{
    private readonly string[] _args;

    public NodeFixture()
        : this([])
    {
    }

    protected NodeFixture(string[] args) => _args = args;

    internal NodeProcess Node { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Node = await NodeProcess.StartAsync(EndToEnd.Timeout(), _args);

    public async ValueTask DisposeAsync()
    {
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }
    }
}
