using TaskGraph.Tests.Node.Hosting;

namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>Two node processes serving ONE SQLite file, each with its own MCP client over stdio.</summary>
public sealed class SharedDbNodesFixture : IAsyncLifetime
{
    internal NodeProcess A { get; private set; } = null!;

    internal NodeProcess B { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var ct = EndToEnd.Timeout();
        A = await NodeProcess.StartAsync(ct);
        B = await NodeProcess.StartSharingAsync(A, ct);
    }

    public async ValueTask DisposeAsync()
    {
        // B first: A owns the work dir.
        if (B is not null)
        {
            await B.DisposeAsync();
        }

        if (A is not null)
        {
            await A.DisposeAsync();
        }
    }
}
