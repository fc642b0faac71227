using System.Text.Json;
using System.Text.Json.Serialization;

namespace TaskGraph.Core.Records;

/// <summary>The one JSON encoding of every record (snake_case, nulls omitted).</summary>
public static class RecordJson
{
    /// <summary>Serializer options shared by both stores and the read model.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    /// <summary>Encodes a record.</summary>
    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>
    /// Encodes a record with an <c>audit</c> property (readers of the record type ignore it): the record's own encoding
    /// with the stamp spliced in before its closing brace, so a stamped write costs one more small serialization only.
    /// </summary>
    public static byte[] SerializeStamped<T>(T value, AuditStamp stamp)
    {
        var record = JsonSerializer.SerializeToUtf8Bytes(value, Options);
        if (record.Length < 2 || record[0] != (byte)'{' || record[^1] != (byte)'}')
        {
            throw new JsonException($"A {typeof(T).Name} record is not a JSON object.");
        }

        var audit = JsonSerializer.SerializeToUtf8Bytes(stamp, Options);
        var prefix = record.Length == 2 ? "\"audit\":"u8 : ",\"audit\":"u8;
        var stamped = new byte[record.Length - 1 + prefix.Length + audit.Length + 1];
        record.AsSpan(0, record.Length - 1).CopyTo(stamped);
        prefix.CopyTo(stamped.AsSpan(record.Length - 1));
        audit.CopyTo(stamped.AsSpan(record.Length - 1 + prefix.Length));
        stamped[^1] = (byte)'}';
        return stamped;
    }

    /// <summary>The <c>audit</c> stamp of a stored record, if it has one.</summary>
    public static AuditStamp? StampOf(ReadOnlyMemory<byte> value)
    {
        if (value.IsEmpty)
        {
            return null;
        }

        using var document = JsonDocument.Parse(value);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("audit", out var audit)
            ? audit.Deserialize<AuditStamp>(Options)
            : null;
    }

    /// <summary>Decodes a record.</summary>
    public static T Deserialize<T>(ReadOnlyMemory<byte> value) =>
        JsonSerializer.Deserialize<T>(value.Span, Options) ?? throw new JsonException($"Empty {typeof(T).Name} record.");
}
