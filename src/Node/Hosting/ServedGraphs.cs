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

    private Dictionary<string, ServedGraph>? _byName;

    private IReadOnlyList<ServedGraph>? _all;

    /// <summary>Graphs already running (tests host a runtime they started): <see cref="ServedGraphsService"/> opens none.</summary>
    public ServedGraphs(IReadOnlyList<ServedGraph> graphs)
    {
        ArgumentNullException.ThrowIfNull(graphs);
        Names = [.. graphs.Select(g => g.Name)];
        Open(graphs);
        IsOwned = false;
    }

    /// <summary>The graphs of these names, default first, opened by <see cref="ServedGraphsService"/> when the host starts.</summary>
    public ServedGraphs(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
        {
            throw new ArgumentException("A node serves at least one graph.", nameof(names));
        }

        Names = names;
    }

    /// <summary>The graphs' names, default first (known before they open: HTTP maps its endpoints by them).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Whether the hosting service opened the graphs (and so disposes them when it stops).</summary>
    internal bool IsOwned { get; private set; } = true;

    /// <summary>Whether the graphs are open (the host has started).</summary>
    public bool IsOpen => _all is not null;

    /// <summary>Every served graph, the default first; only once the host has started.</summary>
    public IReadOnlyList<ServedGraph> All => _all ?? throw new InvalidOperationException("The served graphs open when the host starts.");

    /// <summary>The default graph (stdio, <c>/mcp</c>).</summary>
    public ServedGraph Default => All[0];

    /// <summary>The graph the message being handled is for (the default outside any message).</summary>
    public ServedGraph Current => Selected.Value ?? Default;

    /// <summary>The graph of that name, or null (also before the graphs are open).</summary>
    public ServedGraph? Find(string name) => _byName?.GetValueOrDefault(name);

    /// <summary>Sets the opened graphs (once, in the order of <see cref="Names"/>).</summary>
    internal void Open(IReadOnlyList<ServedGraph> graphs)
    {
        if (graphs.Count == 0 || !graphs.Select(g => g.Name).SequenceEqual(Names, StringComparer.Ordinal))
        {
            throw new ArgumentException("The opened graphs must be the served ones, in order.", nameof(graphs));
        }

        _byName = graphs.ToDictionary(g => g.Name, StringComparer.Ordinal);
        _all = graphs;
    }

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
