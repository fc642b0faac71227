namespace TaskGraph.Core.Migration;

/// <summary>An import or migration that would do harm as asked (a non-empty target without --force, a missing parent); nothing was written.</summary>
public sealed class ImportRefusedException(string message) : Exception(message);
