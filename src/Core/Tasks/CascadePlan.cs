using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Tasks;

/// <summary>What a checked cascade will do: the caller's workflow, the terminal status, and the descendants to move, deepest first.</summary>
public sealed record CascadePlan(WorkflowDefinition Workflow, string Status, IReadOnlyList<string> Descendants);
