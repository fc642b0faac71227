using System.Security.Claims;

namespace TaskGraph.Node.Hosting;

/// <summary>
/// The graphs a node serves, the first being the default (stdio and <c>/mcp</c>). Which one a message is for travels
/// with the message's user as a claim (set from the HTTP path); <see cref="GraphSelectionFilter"/> makes it
/// <see cref="Current"/> for the handling of that message, and the per-graph services resolve through it.
/// </summary>
public sealed class ServedGraphs
{
    /// <summary>The claim naming the graph a request was addressed to.</summary>
    public const string ClaimType = "taskgraph:graph";

    private const string AnonymousAuthenticationType = "taskgraph-graph";

    private static readonly AsyncLocal<ServedGraph?> Selected = new();

    private readonly Dictionary<string, ServedGraph> _byName;

    /// <summary>The graphs, default first.</summary>
    public ServedGraphs(IReadOnlyList<ServedGraph> graphs)
    {
        ArgumentNullException.ThrowIfNull(graphs);
        if (graphs.Count == 0)
        {
            throw new ArgumentException("A node serves at least one graph.", nameof(graphs));
        }

        All = graphs;
        _byName = graphs.ToDictionary(g => g.Name, StringComparer.Ordinal);
    }

    /// <summary>Every served graph, the default first.</summary>
    public IReadOnlyList<ServedGraph> All { get; }

    /// <summary>The default graph (stdio, <c>/mcp</c>).</summary>
    public ServedGraph Default => All[0];

    /// <summary>The graph the message being handled is for (the default outside any message).</summary>
    public ServedGraph Current => Selected.Value ?? Default;

    /// <summary>The graph of that name, or null.</summary>
    public ServedGraph? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Makes the graph the user's claim names current for the rest of this asynchronous flow.</summary>
    public void Select(ClaimsPrincipal? user) =>
        Selected.Value = user?.FindFirst(ClaimType)?.Value is { } name ? Find(name) : null;

    /// <summary>
    /// The user with the graph claim added. The user id (the name-identifier claim) gains the graph too, so the MCP SDK,
    /// which binds a session to its user id, refuses a session begun on one graph when it is used on another.
    /// </summary>
    public static ClaimsPrincipal Bind(ClaimsPrincipal user, string graph)
    {
        ArgumentNullException.ThrowIfNull(user);
        var identities = new List<ClaimsIdentity>();
        var bound = false;
        foreach (var identity in user.Identities)
        {
            if (!identity.IsAuthenticated)
            {
                continue;
            }

            var copy = identity.Clone();
            if (copy.FindFirst(ClaimTypes.NameIdentifier) is { } id)
            {
                copy.RemoveClaim(id);
                copy.AddClaim(new Claim(ClaimTypes.NameIdentifier, $"{id.Value}@{graph}"));
            }

            copy.AddClaim(new Claim(ClaimType, graph));
            identities.Add(copy);
            bound = true;
        }

        if (!bound)
        {
            identities.Add(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "anonymous@" + graph), new Claim(ClaimType, graph)], AnonymousAuthenticationType));
        }

        return new ClaimsPrincipal(identities);
    }
}
