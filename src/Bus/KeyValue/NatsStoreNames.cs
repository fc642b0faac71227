namespace TaskGraph.Bus.KeyValue;

/// <summary>The JetStream names one graph uses: bucket, KV stream, change log stream and subjects.</summary>
internal sealed record NatsStoreNames
{
    private NatsStoreNames(string graph)
    {
        Graph = graph;
        Bucket = "tg_" + graph;
        KvStream = "KV_" + Bucket;
        SubjectPrefix = "$KV." + Bucket + ".";
        FenceBucket = Bucket + "_cas";
    }

    /// <summary>The graph name.</summary>
    public string Graph { get; }

    /// <summary>KV bucket name, <c>tg_&lt;graph&gt;</c>.</summary>
    public string Bucket { get; }

    /// <summary>The stream behind the bucket, <c>KV_tg_&lt;graph&gt;</c>.</summary>
    public string KvStream { get; }

    /// <summary>Subject prefix of every key, <c>$KV.tg_&lt;graph&gt;.</c>.</summary>
    public string SubjectPrefix { get; }

    /// <summary>The bucket of CAS fences, <c>tg_&lt;graph&gt;_cas</c> (only on servers that need them).</summary>
    public string FenceBucket { get; }

    /// <summary>
    /// The fence subject of "the write that follows <paramref name="revision"/> of <paramref name="key"/>"; the revision is
    /// one extra numeric token, so distinct (key, revision) pairs never share a fence.
    /// </summary>
    public string FenceSubject(string key, ulong revision) =>
        "$KV." + FenceBucket + "." + key + "." + revision.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Validates a graph name (it becomes part of stream names) and derives the names.</summary>
    public static NatsStoreNames For(string graph)
    {
        if (string.IsNullOrEmpty(graph) || graph.Length > 200 || !graph.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"Graph name '{graph}' must be 1-200 characters of letters, digits, '-' and '_'.", nameof(graph));
        }

        return new NatsStoreNames(graph);
    }

    /// <summary>The subject of a key.</summary>
    public string Subject(string key) => SubjectPrefix + key;

    /// <summary>The key of a subject in this bucket.</summary>
    public string KeyOf(string subject) =>
        subject.StartsWith(SubjectPrefix, StringComparison.Ordinal)
            ? subject[SubjectPrefix.Length..]
            : throw new InvalidOperationException($"Subject '{subject}' is not in bucket {Bucket}.");

    /// <summary>Throws when a key is outside the KV key charset <c>[-/_=.a-zA-Z0-9]</c> or has empty tokens.</summary>
    public static void ValidateKey(string key, string paramName = "key")
    {
        if (string.IsNullOrEmpty(key)
            || key[0] == '.'
            || key[^1] == '.'
            || key.Contains("..", StringComparison.Ordinal)
            || !key.All(IsKeyChar))
        {
            throw new ArgumentException($"Key '{key}' is not a valid record key (charset [-/_=.a-zA-Z0-9], no empty tokens).", paramName);
        }
    }

    /// <summary>Throws when a list prefix holds characters outside the KV key charset.</summary>
    public static void ValidatePrefix(string prefix)
    {
        if (prefix.Length > 0 && (prefix[0] == '.' || prefix.Contains("..", StringComparison.Ordinal) || !prefix.All(IsKeyChar)))
        {
            throw new ArgumentException($"Prefix '{prefix}' is not a valid key prefix.", nameof(prefix));
        }
    }

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '/' or '_' or '=' or '.';
}
