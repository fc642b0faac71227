namespace TaskGraph.Core.Tasks;

/// <summary>
/// A claim-limit reservation a plan makes before its write (<see cref="Claims.ClaimLedger"/>): the worker who will own the
/// task and, for the caller's own claim, the prompt state that rides along with it.
/// </summary>
public sealed record TransitionReservation(string WorkerId, string? LastStatus = null, string? LastPhase = null);
