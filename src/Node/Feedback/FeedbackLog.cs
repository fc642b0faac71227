using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Marks;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Hosting;

namespace TaskGraph.Node.Feedback;

/// <summary>
/// The project's <c>feedback.md</c>: a markdown file agents append to (<c>give_feedback</c>) for the people who run
/// TaskGraph, never sent anywhere. It lies beside the SQLite file, or in <c>server.cache_dir</c> for a NATS node (a
/// NATS graph has no local file of its own). Appends are serialized per file: within the process by a lock, and
/// between node processes sharing the directory by opening the file exclusively.
/// </summary>
internal sealed class FeedbackLog(NodeConfig config, TimeProvider time)
{
    /// <summary>The file's name.</summary>
    public const string FileName = "feedback.md";

    /// <summary>The file's first line.</summary>
    public const string Header = "# Agent Feedback";

    /// <summary>Past this size the file takes no more entries (it is read back whole by list_feedback).</summary>
    public const long MaxBytes = 1024 * 1024;

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(20);
    private const int Attempts = 250;

    /// <summary>The categories an entry may have.</summary>
    public static IReadOnlyList<string> Categories { get; } = ["tool", "workflow", "config", "ux", "general"];

    /// <summary>The sentiments an entry may have.</summary>
    public static IReadOnlyList<string> Sentiments { get; } = ["positive", "negative", "neutral", "suggestion"];

    /// <summary>The file's absolute path under the current config.</summary>
    public string Path
    {
        get
        {
            var loaded = config.Loaded;
            var dir = loaded.Config.Server.Store == "nats"
                ? System.IO.Path.GetFullPath(loaded.CacheDir)
                : System.IO.Path.GetDirectoryName(StoreFactory.SqlitePath(loaded, StoreFactory.DefaultGraph))!;
            return System.IO.Path.Combine(dir, FileName);
        }
    }

    /// <summary>How answers name the file: relative to the project directory, else by its name alone (never a host path).</summary>
    public string DisplayName(string path) => MarkPaths.Relative(path, config.Loaded.ProjectDirectory) ?? FileName;

    /// <summary>Appends one entry (the header first when the file is new); returns the file's path.</summary>
    public async Task<string> AppendAsync(FeedbackEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var path = Path;
        var text = new StringBuilder();
        text.Append("---\n\n")
            .Append("### ").Append(time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))
            .Append(" | ").Append(entry.Category).Append(" | ").Append(entry.Sentiment).Append("\n\n");
        var meta = new[] { ("Agent", entry.AgentId), ("Tool", entry.ToolName), ("Task", entry.TaskId) }.Where(m => m.Item2 is not null).ToList();
        foreach (var (label, value) in meta)
        {
            text.Append("- **").Append(label).Append(":** ").Append(value).Append('\n');
        }

        if (meta.Count > 0)
        {
            text.Append('\n');
        }

        text.Append(entry.Message.Trim()).Append("\n\n");

        await WithFileAsync(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, async stream =>
        {
            if (stream.Length >= MaxBytes)
            {
                throw new TaskGraphException(ErrorCodes.InvalidState, $"{FileName} has reached its size limit ({MaxBytes / 1024} KiB); no more feedback can be recorded until someone archives it.");
            }

            var bytes = Encoding.UTF8.GetBytes(stream.Length == 0 ? $"{Header}\n\n{text}" : text.ToString());
            stream.Seek(0, SeekOrigin.End);
            await stream.WriteAsync(bytes, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            return 0;
        }, create: true, cancellationToken);
        return path;
    }

    /// <summary>The file's path and its whole text, or null text when nothing was recorded yet.</summary>
    public async Task<(string Path, string? Content)> ReadAsync(CancellationToken cancellationToken)
    {
        var path = Path;
        if (!File.Exists(path))
        {
            return (path, null);
        }

        var content = await WithFileAsync(path, FileMode.Open, FileAccess.Read, FileShare.Read, async stream =>
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return await reader.ReadToEndAsync(cancellationToken);
        }, create: false, cancellationToken);
        return (path, content);
    }

    /// <summary>Runs <paramref name="action"/> on the file under this process's lock, retrying while another process holds it.</summary>
    private static async Task<T> WithFileAsync<T>(
        string path, FileMode mode, FileAccess access, FileShare share, Func<FileStream, Task<T>> action, bool create, CancellationToken cancellationToken)
    {
        var gate = Gates.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (create)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            }

            for (var attempt = 1; ; attempt++)
            {
                FileStream stream;
                try
                {
                    stream = new FileStream(path, mode, access, share, bufferSize: 4096, useAsync: true);
                }
                catch (IOException) when (attempt < Attempts && File.Exists(path))
                {
                    // Another node process has the file open exclusively, for one append. A wall-clock pause: this waits
                    // on another process, not on the graph's clock (which a test may hold still).
                    await Task.Delay(RetryDelay, cancellationToken);
                    continue;
                }

                await using (stream)
                {
                    return await action(stream);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }
}
