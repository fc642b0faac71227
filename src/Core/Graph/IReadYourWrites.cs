namespace TaskGraph.Core.Graph;

/// <summary>Lets a writer wait until its own committed write is visible to local reads.</summary>
public interface IReadYourWrites
{
    /// <summary>Completes once a change of <paramref name="key"/> at <paramref name="revision"/> or later has been applied.</summary>
    ValueTask WaitForAsync(string key, ulong revision, CancellationToken cancellationToken = default);
}
