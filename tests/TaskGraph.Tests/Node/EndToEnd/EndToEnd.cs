using System.Text.Json;

namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>Shared bits of the end-to-end tests: timeouts and reading tool results.</summary>
internal static class EndToEnd
{
    /// <summary>A token that cancels after <paramref name="seconds"/> (every E2E call gets one).</summary>
    public static CancellationToken Timeout(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    /// <summary>
    /// Re-evaluates <paramref name="probe"/> until it returns true or <paramref name="cancellationToken"/> fires: the
    /// condition is observed through the node's own tools, so there is no event to subscribe to; the short delay between
    /// probes only paces the loop, the assertion is on the condition.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> probe, string what, CancellationToken cancellationToken)
    {
        while (!await probe())
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(25), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }
        }
    }

    /// <summary>The ids of a list_tasks result's tasks, in order.</summary>
    public static List<string> Ids(JsonElement listResult) =>
        [.. listResult.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("id").GetString()!)];

    /// <summary>The strings of a JSON array property (empty if absent).</summary>
    public static List<string> Strings(JsonElement element, string property) =>
        element.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray().Select(e => e.GetString()!)]
            : [];

    /// <summary>An optional string property (null if absent or null).</summary>
    public static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
