namespace TaskGraph.Node.Mcp;

/// <summary>What a lenient (<c>JsonElement?</c>) tool parameter accepts, for its advertised schema (see <see cref="ToolSchemas"/>).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The members name JSON Schema types (integer, object), the vocabulary of the schemas they produce.")]
public enum ArgShape
{
    /// <summary>One string or an array of strings: <c>anyOf: [{type: string}, {type: array, items: {type: string}}]</c>.</summary>
    StringOrArray,

    /// <summary>An integer; a numeric string ("7") is accepted at the call too.</summary>
    Integer,

    /// <summary>A JSON object.</summary>
    Object,

    /// <summary>A point in time: epoch milliseconds (integer) or a date string.</summary>
    Time,

    /// <summary>A number (integer or decimal); a numeric string is accepted at the call too.</summary>
    Number,

    /// <summary>An array of non-negative integers.</summary>
    IntegerArray,

    /// <summary>An array of JSON objects.</summary>
    ObjectArray,
}
