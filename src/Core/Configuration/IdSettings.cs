namespace TaskGraph.Core.Configuration;

/// <summary>How generated ids look (the <c>ids</c> config block).</summary>
public sealed record IdSettings
{
    /// <summary>Words in a generated task id.</summary>
    public int TaskIdWords { get; init; } = 2;

    /// <summary>Words in a generated worker id.</summary>
    public int AgentIdWords { get; init; } = 2;

    /// <summary>Case of task ids: kebab-case, snake-case, camel-case, pascal-case, lowercase, uppercase, title-case.</summary>
    public string IdCase { get; init; } = "kebab-case";

    /// <summary>Case of worker ids.</summary>
    public string AgentIdCase { get; init; } = "pascal-case";
}
