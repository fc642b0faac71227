namespace TaskGraph.Core.Migration;

/// <summary>One live record as <see cref="GraphImage"/> keeps it.</summary>
/// <param name="Hash">The hash of its current value.</param>
/// <param name="Chain">With history, a running hash over every revision since its last create, in order (else 0).</param>
/// <param name="Revisions">How many revisions since its last create.</param>
public readonly record struct RecordImage(UInt128 Hash, UInt128 Chain, int Revisions);
