namespace TaskGraph.Bus.KeyValue;

/// <summary>The asked replica count cannot be held by the NATS deployment; the store is not opened. The message is one line.</summary>
public sealed class NatsReplicasException : Exception
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public NatsReplicasException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its one-line message and the server's refusal.</summary>
    public NatsReplicasException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public NatsReplicasException()
        : base("The NATS deployment cannot hold the asked number of replicas.")
    {
    }
}
