namespace TaskGraph.Tests.ReadModels;

/// <summary>The key a test wrote and the revision the store gave it.</summary>
internal sealed record WriteResult(string Key, ulong Revision);
