using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Ids;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Workers;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Tasks;

/// <summary>
/// Creating tasks: one task (with its <c>contains</c> edge when a parent is given) or a whole tree in one go, all checked
/// before the first write and undone together when a later write is refused. Generated ids are drawn until the store's
/// create-if-absent insert wins.
/// </summary>
public sealed class TaskCreation(GraphContext context, DependencyService dependencies)
{
    /// <summary>Creates a task (and its <c>contains</c> edge when a parent is given).</summary>
    public async Task<CreateTaskResult> CreateAsync(CreateTaskRequest request, CancellationToken cancellationToken = default)
    {
        var (draft, phaseWarning, tagWarnings, titleWarning) = Draft(request, await CreatorWorkflowAsync(request.Actor, cancellationToken).ConfigureAwait(false));
        if (request.Parent is not null)
        {
            Limits.Id(request.Parent, "parent");
            if (await context.Records.GetTaskAsync(request.Parent, cancellationToken).ConfigureAwait(false) is null)
            {
                throw TaskGraphException.TaskNotFound(request.Parent, "parent");
            }
        }

        var (task, _) = await InsertAsync(draft, request.Id is null, cancellationToken).ConfigureAwait(false);
        if (request.Parent is not null)
        {
            await dependencies.AddEdgesAsync([new DependencyEdge(request.Parent, task.Id, context.Config.ParentType)], request.Actor, cancellationToken).ConfigureAwait(false);
        }

        return new CreateTaskResult(task, phaseWarning, tagWarnings, titleWarning);
    }

    /// <summary>Creates a tree of tasks with parent/child and optional sibling edges.</summary>
    public async Task<CreateTreeResult> CreateTreeAsync(
        TreeNode tree, string? parent, string childType, string? siblingType, string? actor, CancellationToken cancellationToken = default)
    {
        var creatorWorkflow = await CreatorWorkflowAsync(actor, cancellationToken).ConfigureAwait(false);
        var types = context.Config.Dependencies;
        if (!types.ContainsKey(childType))
        {
            throw TaskGraphException.Invalid("child_type", $"Invalid dependency type '{childType}'. Valid types: [{string.Join(", ", types.Keys)}]");
        }

        if (siblingType is not null && !types.ContainsKey(siblingType))
        {
            throw TaskGraphException.Invalid("sibling_type", $"Invalid dependency type '{siblingType}'. Valid types: [{string.Join(", ", types.Keys)}]");
        }

        if (parent is not null && await context.Records.GetTaskAsync(Limits.Id(parent, "parent"), cancellationToken).ConfigureAwait(false) is null)
        {
            throw TaskGraphException.TaskNotFound(parent, "parent");
        }

        // Validate the whole tree before writing anything. A user-given id that exists is ALREADY_EXISTS here, before
        // any write; generated ids are only drafts until their create-if-absent insert wins (it may redraw).
        var drafts = new List<(TreeNode Node, TaskRecord? Draft, string Id)>();
        var phaseWarnings = new List<string>();
        var tagWarnings = new List<string>();
        var userIds = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        async Task WalkAsync(TreeNode node)
        {
            if (++count > Limits.ListCount)
            {
                throw TaskGraphException.Invalid("tree", $"tree may hold at most {Limits.ListCount} nodes");
            }

            if (node.Ref is not null)
            {
                Limits.Id(node.Ref, "ref");
                if (await context.Records.GetTaskAsync(node.Ref, cancellationToken).ConfigureAwait(false) is null)
                {
                    throw new TaskGraphException(ErrorCodes.TaskNotFound, $"Referenced task '{node.Ref}' not found") { Field = "ref" };
                }

                drafts.Add((node, null, node.Ref));
            }
            else
            {
                var (draft, phaseWarning, tags, _) = Draft(node.Task with { Actor = actor }, creatorWorkflow);
                if (node.Task.Id is not null)
                {
                    if (!userIds.Add(draft.Id))
                    {
                        throw new TaskGraphException(ErrorCodes.AlreadyExists, $"Task '{draft.Id}' appears twice in the tree") { Field = "tree" };
                    }

                    if (await context.Records.GetTaskAsync(draft.Id, cancellationToken).ConfigureAwait(false) is not null)
                    {
                        throw new TaskGraphException(ErrorCodes.AlreadyExists, $"Task '{draft.Id}' already exists") { Field = "id" };
                    }
                }

                if (phaseWarning is not null)
                {
                    phaseWarnings.Add($"Task '{draft.Id}': {phaseWarning}");
                }

                tagWarnings.AddRange(tags.Select(t => $"Task '{draft.Id}': {t}"));
                drafts.Add((node, draft, draft.Id));
            }

            foreach (var child in node.Children)
            {
                await WalkAsync(child).ConfigureAwait(false);
            }
        }

        await WalkAsync(tree).ConfigureAwait(false);

        // A drafted id must not clash with another node of the tree or a ref: redraw it (the store decides the rest).
        var taken = new HashSet<string>(userIds, StringComparer.Ordinal);
        taken.UnionWith(drafts.Where(d => d.Draft is null).Select(d => d.Id));
        var idConfig = context.Config.Ids;
        for (var i = 0; i < drafts.Count; i++)
        {
            var (node, draft, id) = drafts[i];
            if (draft is null || node.Task.Id is not null)
            {
                continue;
            }

            // An id some task already has would be checked against that task's edges: draw a fresh one before the check.
            for (var attempt = 0; !taken.Add(id) || await context.Records.GetTaskAsync(id, cancellationToken).ConfigureAwait(false) is not null; attempt++)
            {
                id = context.Petnames.Next(IdDraw.WordsFor(idConfig.TaskIdWords, attempt), idConfig.IdCase);
            }

            drafts[i] = (node, draft with { Id = id }, id);
        }

        var idOf = new Dictionary<TreeNode, string>(ReferenceEqualityComparer.Instance);
        foreach (var d in drafts)
        {
            idOf[d.Node] = d.Id;
        }

        await dependencies.CheckEdgesAsync(TreeEdges(tree, parent, childType, siblingType, drafts, idOf), cancellationToken).ConfigureAwait(false);

        // Insert: user-given ids first (the only inserts that can be refused), then the generated ones, whose final id
        // may differ from the draft. The edges are built from the final ids: new tasks have no edges yet, so the check
        // above still holds for them. A refusal after the first write undoes the tree's inserts: never half a tree. (When
        // the outcome is unknown, a timeout or a cancel, the edges may have landed, so the tasks stay.)
        var inserted = new List<(string Id, ulong Revision)>();
        try
        {
            foreach (var userFirst in new[] { true, false })
            {
                for (var i = 0; i < drafts.Count; i++)
                {
                    var (node, draft, _) = drafts[i];
                    if (draft is null || (node.Task.Id is not null) != userFirst)
                    {
                        continue;
                    }

                    var (task, revision) = await InsertAsync(draft, node.Task.Id is null, cancellationToken).ConfigureAwait(false);
                    inserted.Add((task.Id, revision));
                    drafts[i] = (node, task, task.Id);
                    idOf[node] = task.Id;
                }
            }

            await dependencies.AddEdgesAsync(TreeEdges(tree, parent, childType, siblingType, drafts, idOf), actor, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (inserted.Count > 0 && !StoreFaults.IsOutcomeUnknown(ex))
        {
            await UndoInsertsAsync(inserted).ConfigureAwait(false);
            throw;
        }

        var root = drafts[0].Draft ?? (await context.Records.GetTaskAsync(drafts[0].Id, cancellationToken).ConfigureAwait(false))!.Value.Value;
        return new CreateTreeResult(root, [.. drafts.Select(d => d.Id)], phaseWarnings, tagWarnings);
    }

    private static List<DependencyEdge> TreeEdges(
        TreeNode tree, string? parent, string childType, string? siblingType, List<(TreeNode Node, TaskRecord? Draft, string Id)> drafts, Dictionary<TreeNode, string> idOf)
    {
        var edges = new List<DependencyEdge>();
        if (parent is not null)
        {
            edges.Add(new DependencyEdge(parent, idOf[tree], childType));
        }

        foreach (var (node, _, _) in drafts)
        {
            var id = idOf[node];
            string? previous = null;
            foreach (var child in node.Children)
            {
                edges.Add(new DependencyEdge(id, idOf[child], childType));
                if (siblingType is not null && previous is not null)
                {
                    edges.Add(new DependencyEdge(previous, idOf[child], siblingType));
                }

                previous = idOf[child];
            }
        }

        return edges;
    }

    /// <summary>Removes the tasks a failed create_tree inserted, each at the revision it was created at (best effort).</summary>
    private async Task UndoInsertsAsync(IReadOnlyList<(string Id, ulong Revision)> inserted)
    {
        foreach (var (id, revision) in inserted)
        {
            try
            {
                var deleted = await context.Records.DeleteAsync(RecordKeys.Task(id), revision, CancellationToken.None).ConfigureAwait(false);
                await context.SeenAsync(RecordKeys.Task(id), deleted, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ConcurrencyConflictException or StoreUnavailableException)
            {
                // Someone already changed the new task (it is visible once created); it stays theirs.
            }
        }
    }

    /// <summary>
    /// The workflow a new task starts in: the creator's own when a registered worker creates it (its initial state, so a
    /// kanban worker's tasks start in its backlog), else the default workflow.
    /// </summary>
    private async Task<WorkflowDefinition> CreatorWorkflowAsync(string? actor, CancellationToken cancellationToken)
    {
        if (actor is null || (context.Config.Workflows.Count == 0 && context.Config.Overlays.Count == 0))
        {
            return context.Config.DefaultWorkflow;
        }

        var worker = await context.Records.GetWorkerAsync(Limits.Id(actor, "worker_id"), cancellationToken).ConfigureAwait(false);
        return context.Config.WorkflowFor(worker?.Value.Workflow, worker?.Value.Overlays);
    }

    private (TaskRecord Draft, string? PhaseWarning, IReadOnlyList<string> TagWarnings, string? TitleWarning) Draft(CreateTaskRequest request, WorkflowDefinition workflow)
    {
        var config = context.Config;
        if (string.IsNullOrWhiteSpace(request.Title) && string.IsNullOrWhiteSpace(request.Description))
        {
            throw new TaskGraphException(ErrorCodes.MissingRequiredField, "title or description is required") { Field = "title" };
        }

        Limits.Text(request.Title, "title", Limits.TitleLength);
        Limits.Text(request.Description, "description", Limits.DescriptionLength);
        Limits.Text(request.Phase, "phase", Limits.IdLength);
        if (request.Points is < 0)
        {
            throw TaskGraphException.Invalid("points", "points must be zero or positive");
        }

        if (request.TimeEstimateMs is < 0)
        {
            throw TaskGraphException.Invalid("time_estimate_ms", "time_estimate_ms must be zero or positive");
        }

        var id = request.Id is null ? context.Petnames.Next(config.Ids.TaskIdWords, config.Ids.IdCase) : Limits.Id(request.Id, "id");
        var title = request.Title;
        string? titleWarning = null;
        if (string.IsNullOrWhiteSpace(title))
        {
            var firstLine = request.Description!.Split('\n', 2)[0].Trim();
            title = firstLine.Length > 80 ? firstLine[..80] + "..." : firstLine;
        }
        else if (title.Length > 80 || title.Contains('\n'))
        {
            titleWarning = "Title is longer than 80 characters or has several lines; keep titles short and put detail in the description.";
        }

        var tags = Limits.Tags(request.Tags, "tags");
        var needed = Limits.Tags(request.NeededTags, "needed_tags");
        var wanted = Limits.Tags(request.WantedTags, "wanted_tags");
        var tagWarnings = TagPolicy.Check(config.Tags, [.. tags, .. needed, .. wanted], "tags");
        var phaseWarning = TransitionGuards.Phase(request.Phase, workflow);
        var now = context.NowMs;
        var task = new TaskRecord
        {
            Id = id,
            Title = title,
            Description = request.Description,
            Status = workflow.Settings.InitialState,
            Phase = request.Phase,
            Priority = Math.Clamp(request.Priority ?? 5, 0, 10),
            Points = request.Points,
            TimeEstimateMs = request.TimeEstimateMs,
            Tags = tags,
            NeededTags = needed,
            WantedTags = wanted,
            CreatedAt = now,
            UpdatedAt = now,
            StatusSince = now,
            Change = new TaskChange { Kind = ChangeKinds.Create, Actor = request.Actor },
        };
        return (task, phaseWarning, tagWarnings, titleWarning);
    }

    private async Task<(TaskRecord Task, ulong Revision)> InsertAsync(TaskRecord draft, bool generatedId, CancellationToken cancellationToken)
    {
        async Task<(TaskRecord, ulong)> CreateAsync(TaskRecord task)
        {
            var revision = await context.Records.PutTaskAsync(task, 0, cancellationToken).ConfigureAwait(false);
            await context.SeenAsync(RecordKeys.Task(task.Id), revision, cancellationToken).ConfigureAwait(false);
            return (task, revision);
        }

        if (generatedId)
        {
            var ids = context.Config.Ids;
            return await IdDraw.CreateAsync(context.Petnames, ids.TaskIdWords, ids.IdCase, id => CreateAsync(draft with { Id = id }), draft.Id).ConfigureAwait(false);
        }

        try
        {
            return await CreateAsync(draft).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            throw new TaskGraphException(ErrorCodes.AlreadyExists, $"Task '{draft.Id}' already exists") { Field = "id" };
        }
    }
}
