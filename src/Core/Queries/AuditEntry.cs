using TaskGraph.Core.Records;

namespace TaskGraph.Core.Queries;

/// <summary>One stamped write of the store's log: where, when, which record, and who by which tool.</summary>
public sealed record AuditEntry(ulong Position, long At, string Key, AuditStamp Stamp);
