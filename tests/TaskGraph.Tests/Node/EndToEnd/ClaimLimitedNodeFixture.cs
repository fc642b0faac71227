namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>A shared node started with <c>--claim-limit 2</c>.</summary>
public sealed class ClaimLimitedNodeFixture : NodeFixture
{
    public ClaimLimitedNodeFixture()
        : base(["--claim-limit", "2"])
    {
    }
}
