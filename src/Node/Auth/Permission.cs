namespace TaskGraph.Node.Auth;

/// <summary>The permissions a role may hold (the planning document's table, 3b, plus <c>connect</c>).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "The domain word for what a role may do; not a System.Security permission type.")]
public static class Permission
{
    /// <summary>Read tasks, history, marks, agents and workflows.</summary>
    public const string Read = "read";

    /// <summary>Register as a worker and act as yourself: heartbeat, thinking, marks, disconnect yourself.</summary>
    public const string Connect = "connect";

    /// <summary>Create tasks and trees.</summary>
    public const string Create = "create";

    /// <summary>Change any task: fields, status, dependencies, renames.</summary>
    public const string Update = "update";

    /// <summary>Change the tasks you own.</summary>
    public const string UpdateOwned = "update_owned";

    /// <summary>Assign a task to a worker.</summary>
    public const string Assign = "assign";

    /// <summary>Claim tasks.</summary>
    public const string Claim = "claim";

    /// <summary>Delete tasks.</summary>
    public const string Delete = "delete";

    /// <summary>Override another owner's claim or unsatisfied dependencies (<c>force=true</c>).</summary>
    public const string Force = "force";

    /// <summary>Disconnect other workers and sweep stale ones.</summary>
    public const string ManageAgents = "manage_agents";

    /// <summary>Every permission (the admin role's <c>*</c>).</summary>
    public const string All = "*";

    /// <summary>The permissions a role may name in config.</summary>
    public static IReadOnlySet<string> Known { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Read, Connect, Create, Update, UpdateOwned, Assign, Claim, Delete, Force, ManageAgents, All,
    };
}
