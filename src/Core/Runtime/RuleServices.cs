using TaskGraph.Core.Attachments;
using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Leases;
using TaskGraph.Core.Marks;
using TaskGraph.Core.Tasks;
using TaskGraph.Core.Workers;

namespace TaskGraph.Core.Runtime;

/// <summary>
/// The rule services over one graph context, composed in one place: the node's <see cref="GraphRuntime"/>, the rules
/// tests and the bench all take them from here, so each runs the same wiring.
/// </summary>
public sealed class RuleServices
{
    /// <summary>Composes the rule services over <paramref name="context"/>; relative mark paths resolve against <paramref name="baseDirectory"/>.</summary>
    public RuleServices(GraphContext context, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(context);
        Workers = new WorkerService(context);
        Dependencies = new DependencyService(context);
        var contents = new AttachmentContents(context, baseDirectory);
        Tasks = new TaskService(context, Workers, Dependencies, contents);
        Attachments = new AttachmentService(context, contents);
        Marks = new MarkService(context, Workers, baseDirectory);
        Sweeper = new StaleWorkerSweeper(context);
        Accounting = new TaskAccounting(context);
    }

    /// <summary>Worker rules.</summary>
    public WorkerService Workers { get; }

    /// <summary>Task rules.</summary>
    public TaskService Tasks { get; }

    /// <summary>Dependency rules.</summary>
    public DependencyService Dependencies { get; }

    /// <summary>File mark rules.</summary>
    public MarkService Marks { get; }

    /// <summary>The stale-worker sweeper.</summary>
    public StaleWorkerSweeper Sweeper { get; }

    /// <summary>Attachments: attach, list, detach.</summary>
    public AttachmentService Attachments { get; }

    /// <summary>Cost and metric accounting.</summary>
    public TaskAccounting Accounting { get; }
}
