namespace TaskGraph.Core.Queries;

/// <summary>What <see cref="EventFeed.WaitAsync"/> found: the events, and the cursor to resume from.</summary>
/// <param name="Events">Matching events, oldest first.</param>
/// <param name="Cursor">The last log position examined; pass it as <c>since</c> next time.</param>
/// <param name="TimedOut">True when the wait ended without a matching event.</param>
public sealed record EventPage(IReadOnlyList<GraphEvent> Events, ulong Cursor, bool TimedOut);
