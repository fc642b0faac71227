namespace TaskGraph.Core.Storage;

/// <summary>The store could not be reached or did not answer; the outcome of a write may be unknown.</summary>
public class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
