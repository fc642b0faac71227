namespace TaskGraph.Core.Configuration;

/// <summary>The live configuration: readers take <see cref="Current"/> once per operation; reload swaps it whole.</summary>
public sealed class ConfigHolder(TaskGraphConfig initial)
{
    private volatile TaskGraphConfig _current = initial;

    /// <summary>The configuration in force.</summary>
    public TaskGraphConfig Current
    {
        get => _current;
        set => _current = value ?? throw new ArgumentNullException(nameof(value));
    }
}
