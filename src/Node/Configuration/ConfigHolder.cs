using TaskGraph.Core.Configuration;

namespace TaskGraph.Node.Configuration;

/// <summary>The node's current config; replaced whole (never mutated) so a later hot reload is one atomic swap.</summary>
public sealed class ConfigHolder(LoadedConfig initial)
{
    private LoadedConfig _loaded = initial;

    /// <summary>The current rules config.</summary>
    public TaskGraphConfig Current => Volatile.Read(ref _loaded).Config;

    /// <summary>The current config with node-only settings and raw trees.</summary>
    public LoadedConfig Loaded => Volatile.Read(ref _loaded);

    /// <summary>Swaps in a new, already validated config.</summary>
    public void Replace(LoadedConfig next) => Volatile.Write(ref _loaded, next);
}
