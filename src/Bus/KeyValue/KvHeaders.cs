using System.Text;
using NATS.Client.Core;

namespace TaskGraph.Bus.KeyValue;

/// <summary>Reads the KV headers of stored and consumed messages.</summary>
internal static class KvHeaders
{
    /// <summary>The KV operation header: absent for a put, <c>DEL</c> or <c>PURGE</c> otherwise.</summary>
    public const string Operation = "KV-Operation";

    /// <summary>True when the operation header marks a delete or purge.</summary>
    public static bool IsDelete(string? operation) => operation is "DEL" or "PURGE";

    /// <summary>The KV operation of a message's headers (null for a put).</summary>
    public static string? OperationOf(NatsHeaders? headers) =>
        headers is not null && headers.TryGetValue(Operation, out var values) ? values.ToString() : null;

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
