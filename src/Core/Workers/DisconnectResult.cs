namespace TaskGraph.Core.Workers;

/// <summary>What a disconnect released.</summary>
public sealed record DisconnectResult(int TasksReleased, int FilesReleased, string FinalStatus);
