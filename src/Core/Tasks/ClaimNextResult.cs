namespace TaskGraph.Core.Tasks;

/// <summary>The claim that claim-next won, and what it took to win it.</summary>
/// <param name="Claim">The claimed task, exactly as a claim by id answers.</param>
/// <param name="Attempts">Claims tried, the winning one included (<c>Attempts - 1</c> candidates were lost to races or stale reads).</param>
/// <param name="Refreshed">True when the candidates were read again after catching the read model up with the store.</param>
public sealed record ClaimNextResult(UpdateTaskResult Claim, int Attempts, bool Refreshed);
