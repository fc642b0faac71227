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
    public static byte[] SerializeStamped<T>(T value, AuditStamp stamp) => Serialize(value, changedAtMs: null, stamp);

    /// <summary>
    /// Encodes a record as it is written: when <paramref name="changedAtMs"/> is given, led by <c>"schema":</c>
    /// <see cref="Schema"/> and <c>"changed_at":</c> the writer's clock (epoch ms), so history shows when a change was
    /// made, not when a store committed it (a copied log keeps its times); with <paramref name="stamp"/>, ended by the
    /// <c>audit</c> property. Readers of the record type ignore all three. The record's own encoding is spliced, not
    /// re-serialized.
    /// </summary>
    public static byte[] Serialize<T>(T value, long? changedAtMs, AuditStamp? stamp)
    {
        var record = JsonSerializer.SerializeToUtf8Bytes(value, Options);
        if (record.Length < 2 || record[0] != (byte)'{' || record[^1] != (byte)'}')
        {
            throw new JsonException($"A {typeof(T).Name} record is not a JSON object.");
        }

        var empty = record.Length == 2;
        var lead = changedAtMs is { } at
            ? System.Text.Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{{\"schema\":{Schema},\"changed_at\":{at}{(empty ? string.Empty : ",")}"))
            : "{"u8.ToArray();
        var audit = stamp is null ? [] : JsonSerializer.SerializeToUtf8Bytes(stamp, Options);
        var auditPrefix = stamp is null ? [] : empty && changedAtMs is null ? "\"audit\":"u8.ToArray() : ",\"audit\":"u8.ToArray();
        var body = record.AsSpan(1, record.Length - 2);
        var written = new byte[lead.Length + body.Length + auditPrefix.Length + audit.Length + 1];
        var span = written.AsSpan();
        lead.CopyTo(span);
        body.CopyTo(span[lead.Length..]);
        auditPrefix.CopyTo(span[(lead.Length + body.Length)..]);
        audit.CopyTo(span[(lead.Length + body.Length + auditPrefix.Length)..]);
        written[^1] = (byte)'}';
        return written;
    }

    /// <summary>The version of the envelope fields (<c>schema</c>, <c>changed_at</c>, <c>audit</c>) records are written with.</summary>
    public const int Schema = 1;

    /// <summary>
    /// When a stored record's change was made (its <c>changed_at</c>, epoch ms), or null for a record written before
    /// records carried it. Reads only the first two properties, where writers put it.
    /// </summary>
    public static long? ChangedAtOf(ReadOnlyMemory<byte> value)
    {
        if (value.IsEmpty)
        {
            return null;
        }

        var reader = new Utf8JsonReader(value.Span);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        for (var i = 0; i < 2 && reader.Read() && reader.TokenType == JsonTokenType.PropertyName; i++)
        {
            var isChangedAt = reader.ValueTextEquals("changed_at"u8);
            if (!reader.Read())
            {
                return null;
            }

            if (isChangedAt)
            {
                return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var at) ? at : null;
            }

            reader.Skip();
        }

        return null;
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
