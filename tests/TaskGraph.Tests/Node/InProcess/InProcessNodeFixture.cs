using TaskGraph.Core.Configuration;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// One in-process SQLite node shared by the tests of a class (for suites whose tests leave the graph as they found it,
/// such as refusals); <see cref="InProcessToolTests"/> takes it instead of starting a node per test.
/// </summary>
public class InProcessNodeFixture : IAsyncLifetime
{
    private InProcessNode? _node;

    internal InProcessNode Node => _node ?? throw new InvalidOperationException("The node is not started.");

    /// <summary>The node config (the defaults unless a subclass needs others).</summary>
    protected virtual TaskGraphConfig Config => new();

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _node = await InProcessNode.StartSqliteAsync(cts.Token, Config);
    }

    public async ValueTask DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }
}
