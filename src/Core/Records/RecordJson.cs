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

    /// <summary>Decodes a record.</summary>
    public static T Deserialize<T>(ReadOnlyMemory<byte> value) =>
        JsonSerializer.Deserialize<T>(value.Span, Options) ?? throw new JsonException($"Empty {typeof(T).Name} record.");
}
