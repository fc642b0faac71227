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

    /// <summary>Encodes a record with an <c>audit</c> property (readers of the record type ignore it).</summary>
    public static byte[] SerializeStamped<T>(T value, AuditStamp stamp)
    {
        var node = JsonSerializer.SerializeToNode(value, Options) as System.Text.Json.Nodes.JsonObject
            ?? throw new JsonException($"A {typeof(T).Name} record is not a JSON object.");
        node["audit"] = JsonSerializer.SerializeToNode(stamp, Options);
        return JsonSerializer.SerializeToUtf8Bytes(node, Options);
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
