namespace TaskGraph.Core.Migration;

/// <summary>
/// One revision a task-graph-mcp task gets on import: its creation, a row of <c>task_sequence</c>, the final state of
/// the task row, or its soft delete. Status and phase are the task's after the step; the <c>from</c> ones before it.
/// </summary>
/// <param name="Kind">The change kind (<see cref="Records.ChangeKinds"/>, or <see cref="TaskGraphMcpSnapshot.ImportChangeKind"/>).</param>
/// <param name="Status">The status after the step.</param>
/// <param name="Phase">The phase after the step.</param>
/// <param name="FromStatus">The status before the step (null for the creation).</param>
/// <param name="FromPhase">The phase before the step.</param>
/// <param name="Actor">Who made it (the row's <c>worker_id</c>).</param>
/// <param name="Reason">Why, as recorded.</param>
/// <param name="At">When (epoch ms).</param>
internal sealed record TaskGraphMcpTransition(string Kind, string Status, string? Phase, string? FromStatus, string? FromPhase, string? Actor, string? Reason, long At);
