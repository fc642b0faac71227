namespace TaskGraph.Bus;

/// <summary>Marker for the NATS JetStream store assembly.</summary>
public static class BusAssembly
{
    /// <summary>The assembly's name.</summary>
    public const string Name = "TaskGraph.Bus";
}
