namespace TaskGraph.Node.Auth;

/// <summary>
/// Which permissions each role holds. The default is the planning document's table (3b) with <c>connect</c> added to
/// every role that acts (admin, lead, worker) and admin holding everything; <c>server.auth.roles</c> replaces a role's
/// list or adds a role.
/// </summary>
public sealed class PermissionTable
{
    private readonly Dictionary<string, IReadOnlySet<string>> _roles;

    /// <summary>A table of the given roles.</summary>
    public PermissionTable(IReadOnlyDictionary<string, IReadOnlyList<string>> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        _roles = roles.ToDictionary(r => r.Key, r => (IReadOnlySet<string>)r.Value.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    /// <summary>The default roles: admin, lead, worker, viewer.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> DefaultRoles { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["admin"] = [Permission.All],
        ["lead"] = [Permission.Read, Permission.Connect, Permission.Create, Permission.Update, Permission.Assign, Permission.Claim],
        ["worker"] = [Permission.Read, Permission.Connect, Permission.Claim, Permission.UpdateOwned],
        ["viewer"] = [Permission.Read],
    };

    /// <summary>The default table.</summary>
    public static PermissionTable Default { get; } = new(DefaultRoles);

    /// <summary>The role names.</summary>
    public IEnumerable<string> Roles => _roles.Keys;

    /// <summary>True when the role exists.</summary>
    public bool HasRole(string role) => _roles.ContainsKey(role);

    /// <summary>True when <paramref name="role"/> holds <paramref name="permission"/>.</summary>
    public bool Allows(string role, string permission) =>
        _roles.TryGetValue(role, out var held) && (held.Contains(Permission.All) || held.Contains(permission));
}
