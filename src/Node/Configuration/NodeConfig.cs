using TaskGraph.Core.Configuration;

namespace TaskGraph.Node.Configuration;

/// <summary>
/// The node's current config; replaced whole (never mutated) so a hot reload is one atomic swap. It also feeds the
/// rules' <see cref="ConfigHolder"/>, so rules and tools always see the same version.
/// </summary>
public sealed class NodeConfig(LoadedConfig initial)
{
    private LoadedConfig _loaded = initial;

    /// <summary>The live rules config the Core services read.</summary>
    public ConfigHolder Rules { get; } = new(initial.Config);

    /// <summary>The current rules config.</summary>
    public TaskGraphConfig Current => Volatile.Read(ref _loaded).Config;

    /// <summary>The current config with node-only settings and raw trees.</summary>
    public LoadedConfig Loaded => Volatile.Read(ref _loaded);

    /// <summary>Swaps in a new, already validated config.</summary>
    public void Replace(LoadedConfig next)
    {
        Volatile.Write(ref _loaded, next);
        Rules.Current = next.Config;
    }
}
