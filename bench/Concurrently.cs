using System.Diagnostics;

namespace TaskGraph.Bench;

/// <summary>Runs callers side by side, released together, and measures the wall time of the whole batch.</summary>
internal static class Concurrently
{
    /// <summary>
    /// Starts <paramref name="callers"/> bodies on the thread pool, lets them all go at once, waits for all, and adds the
    /// batch's wall time with <paramref name="operations"/> operations to <paramref name="samples"/> (when given).
    /// </summary>
    public static async Task RunAsync(int callers, Func<int, Task> body, LatencySamples? samples, long operations)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ready = new CountdownEvent(callers);
        var tasks = new Task[callers];
        for (var i = 0; i < callers; i++)
        {
            var caller = i;
            tasks[i] = Task.Run(async () =>
            {
                ready.Signal();
                await gate.Task.ConfigureAwait(false);
                await body(caller).ConfigureAwait(false);
            });
        }

        ready.Wait();
        var start = Stopwatch.GetTimestamp();
        gate.SetResult();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        samples?.AddWall(start, Stopwatch.GetTimestamp(), operations);
        ready.Dispose();
    }
}
