namespace TaskGraph.Node.Mcp;

/// <summary>Declares the shape of a lenient <c>JsonElement?</c> tool parameter; every such parameter must carry one.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class ArgShapeAttribute(ArgShape shape) : Attribute
{
    /// <summary>The shape.</summary>
    public ArgShape Shape { get; } = shape;

    /// <summary>The default the tool applies when the parameter is absent, advertised as the schema's <c>default</c> (null: none).</summary>
    public object? Default { get; init; }
}
