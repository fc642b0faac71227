using System.Globalization;
using System.Text;
using NATS.Client.Core;

namespace TaskGraph.Bus.KeyValue;

/// <summary>Reads the headers that KV and stream sourcing put on messages.</summary>
internal static class KvHeaders
{
    /// <summary>The KV operation header: absent for a put, <c>DEL</c> or <c>PURGE</c> otherwise.</summary>
    public const string Operation = "KV-Operation";

    /// <summary>
    /// Added by the server to every sourced message. nats-server 2.9.10 writes <c>"&lt;origin stream&gt; &lt;origin sequence&gt;"</c>
    /// (measured: <c>"KV_tg_g 17"</c>); 2.10+ appends filter and transform tokens, so only the first two tokens are read.
    /// </summary>
    public const string StreamSource = "Nats-Stream-Source";

    /// <summary>True when the operation header marks a delete or purge.</summary>
    public static bool IsDelete(string? operation) => operation is "DEL" or "PURGE";

    /// <summary>The KV operation of a message's headers (null for a put).</summary>
    public static string? OperationOf(NatsHeaders? headers) =>
        headers is not null && headers.TryGetValue(Operation, out var values) ? values.ToString() : null;

    /// <summary>The origin sequence (the KV revision) of a sourced message.</summary>
    public static ulong SourceSequenceOf(NatsHeaders? headers, string originStream)
    {
        if (headers is null || !headers.TryGetValue(StreamSource, out var values))
        {
            throw new InvalidOperationException($"A change log message has no {StreamSource} header.");
        }

        return ParseSourceSequence(values.ToString(), originStream);
    }

    /// <summary>Parses <c>"&lt;stream&gt;[:&lt;hash&gt;] &lt;sequence&gt; ..."</c>.</summary>
    public static ulong ParseSourceSequence(string value, string originStream)
    {
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2
            || !(parts[0] == originStream || parts[0].StartsWith(originStream + ":", StringComparison.Ordinal))
            || !ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            throw new InvalidOperationException($"Unexpected {StreamSource} header '{value}' (expected origin {originStream}).");
        }

        return sequence;
    }

    /// <summary>
    /// Looks up one header in the raw block of a stored message (<c>NATS/1.0\r\nName: value\r\n...</c>, base64 in the
    /// message-get API answer).
    /// </summary>
    public static string? FindInRaw(string? base64Headers, string name)
    {
        if (string.IsNullOrEmpty(base64Headers))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64Headers));
        string? found = null;
        foreach (var line in text.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                found = line[(colon + 1)..].Trim();
            }
        }

        return found;
    }
}
