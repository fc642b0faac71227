using TaskGraph.Core.Configuration;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>A shared in-process node with claim limit 2.</summary>
public sealed class ClaimLimitTwoNodeFixture : InProcessNodeFixture
{
    protected override TaskGraphConfig Config => new() { Server = new ServerSettings { ClaimLimit = 2 } };
}
