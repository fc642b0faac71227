namespace TaskGraph.Core.Workflows;

/// <summary>
/// One gate on leaving a status or a phase (<c>gates: {"status:working": [...]}</c>): satisfied when the task has an
/// attachment of exactly <see cref="Type"/>. <see cref="Enforcement"/>: allow (a warning), warn (refused unless
/// <c>force</c>, then a warning; the default) or reject (refused, <c>force</c> or not).
/// </summary>
public sealed record GateDefinition
{
    /// <summary>The attachment type that satisfies the gate.</summary>
    public required string Type { get; init; }

    /// <summary>allow, warn or reject.</summary>
    public string Enforcement { get; init; } = "warn";

    /// <summary>What the gate asks for, shown to the agent.</summary>
    public string? Description { get; init; }
}
