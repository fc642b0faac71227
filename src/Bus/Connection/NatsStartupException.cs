namespace TaskGraph.Bus.Connection;

/// <summary>
/// The node cannot start on NATS: the servers are unreachable within the connect timeout, refuse the credentials, have no
/// JetStream, or deny its API. The message is one line, names the (redacted) URL and is safe to print as it is.
/// </summary>
public sealed class NatsStartupException(string message, Exception? inner = null) : Exception(message, inner);
