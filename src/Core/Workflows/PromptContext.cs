namespace TaskGraph.Core.Workflows;

/// <summary>The values a prompt's <c>{{...}}</c> variables take: the task after the change and the worker it is for.</summary>
public sealed record PromptContext
{
    /// <summary>The task id.</summary>
    public string? TaskId { get; init; }

    /// <summary>The task title.</summary>
    public string? TaskTitle { get; init; }

    /// <summary>The task priority.</summary>
    public int? TaskPriority { get; init; }

    /// <summary>The task tags.</summary>
    public IReadOnlyList<string> TaskTags { get; init; } = [];

    /// <summary>The worker.</summary>
    public string? AgentId { get; init; }

    /// <summary>The worker's role, if it has one.</summary>
    public string? AgentRole { get; init; }

    /// <summary>The worker's tags.</summary>
    public IReadOnlyList<string> AgentTags { get; init; } = [];
}
