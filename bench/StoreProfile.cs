using System.Diagnostics;

namespace TaskGraph.Bench;

/// <summary>Counts and times the store round trips and read-model waits the rules make (see <see cref="ProfilingRecordStore"/>).</summary>
internal sealed class StoreProfile
{
    private long _gets;
    private long _writes;
    private long _lists;
    private long _positions;
    private long _waits;
    private long _readTicks;
    private long _writeTicks;
    private long _waitTicks;

    /// <summary>A consistent-enough copy of the counters (read while no operation runs).</summary>
    public Snapshot Take() => new(
        Volatile.Read(ref _gets), Volatile.Read(ref _writes), Volatile.Read(ref _lists), Volatile.Read(ref _positions),
        Volatile.Read(ref _waits), Volatile.Read(ref _readTicks), Volatile.Read(ref _writeTicks), Volatile.Read(ref _waitTicks));

    /// <summary>Records one get.</summary>
    public void Get(long start) => Count(ref _gets, ref _readTicks, start);

    /// <summary>Records one create, CAS update or delete.</summary>
    public void Write(long start) => Count(ref _writes, ref _writeTicks, start);

    /// <summary>Records one list.</summary>
    public void List(long start) => Count(ref _lists, ref _readTicks, start);

    /// <summary>Records one position read.</summary>
    public void Position(long start) => Count(ref _positions, ref _readTicks, start);

    /// <summary>Records one read-your-writes wait.</summary>
    public void Wait(long start) => Count(ref _waits, ref _waitTicks, start);

    private static void Count(ref long counter, ref long ticks, long start)
    {
        Interlocked.Increment(ref counter);
        Interlocked.Add(ref ticks, Stopwatch.GetTimestamp() - start);
    }

    /// <summary>Counter values at one moment.</summary>
    public readonly record struct Snapshot(long Gets, long Writes, long Lists, long Positions, long Waits, long ReadTicks, long WriteTicks, long WaitTicks)
    {
        /// <summary>The difference between two snapshots.</summary>
        public static Snapshot operator -(Snapshot a, Snapshot b) => new(
            a.Gets - b.Gets, a.Writes - b.Writes, a.Lists - b.Lists, a.Positions - b.Positions, a.Waits - b.Waits,
            a.ReadTicks - b.ReadTicks, a.WriteTicks - b.WriteTicks, a.WaitTicks - b.WaitTicks);

        /// <summary>Adds two snapshots.</summary>
        public static Snapshot operator +(Snapshot a, Snapshot b) => new(
            a.Gets + b.Gets, a.Writes + b.Writes, a.Lists + b.Lists, a.Positions + b.Positions, a.Waits + b.Waits,
            a.ReadTicks + b.ReadTicks, a.WriteTicks + b.WriteTicks, a.WaitTicks + b.WaitTicks);
    }
}
