namespace TaskGraph.Node.Feedback;

/// <summary>One piece of agent feedback, already validated.</summary>
public sealed record FeedbackEntry
{
    /// <summary>What the agent says.</summary>
    public required string Message { get; init; }

    /// <summary>One of <see cref="FeedbackLog.Categories"/>.</summary>
    public string Category { get; init; } = "general";

    /// <summary>One of <see cref="FeedbackLog.Sentiments"/>.</summary>
    public string Sentiment { get; init; } = "neutral";

    /// <summary>Who gives it, if said.</summary>
    public string? AgentId { get; init; }

    /// <summary>The tool it is about, if one.</summary>
    public string? ToolName { get; init; }

    /// <summary>The task it relates to, if one.</summary>
    public string? TaskId { get; init; }
}
