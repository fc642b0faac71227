using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Dependencies;

/// <summary>
/// Typed dependency edges. All edges live in one record, so each change (cycle and single-parent checks included)
/// is a single compare-and-swap: concurrent A->B and B->A cannot both win.
/// </summary>
public sealed class DependencyService(GraphContext context)
{
    /// <summary>Links every from×to pair; per-pair problems come back as warnings and errors.</summary>
    public async Task<LinkResult> LinkAsync(IReadOnlyList<string> froms, IReadOnlyList<string> tos, string type, string? actor, CancellationToken cancellationToken = default)
    {
        CheckType(type, "type");
        Limits.List(froms, "from");
        Limits.List(tos, "to");
        if (froms.Count == 0)
        {
            throw TaskGraphException.Missing("from");
        }

        if (tos.Count == 0)
        {
            throw TaskGraphException.Missing("to");
        }

        foreach (var id in froms)
        {
            Limits.Id(id, "from");
        }

        foreach (var id in tos)
        {
            Limits.Id(id, "to");
        }

        var exists = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var id in froms.Concat(tos).Distinct(StringComparer.Ordinal))
        {
            exists[id] = await context.Records.GetTaskAsync(id, cancellationToken).ConfigureAwait(false) is not null;
        }

        return await context.RetryAsync(async _ =>
        {
            var current = await context.Records.GetDependenciesAsync(cancellationToken).ConfigureAwait(false);
            var graph = DependencyGraph.Of(current.Value.Edges, context.Config.Dependencies);
            var created = new List<DependencyEdge>();
            var warnings = new List<LinkIssue>();
            var errors = new List<LinkIssue>();
            foreach (var from in froms)
            {
                foreach (var to in tos)
                {
                    if (!exists[from])
                    {
                        warnings.Add(new LinkIssue(ErrorCodes.TaskNotFound, from, to, $"Task not found: {from}", "from"));
                        continue;
                    }

                    if (!exists[to])
                    {
                        warnings.Add(new LinkIssue("DEPENDENCY_NOT_FOUND", from, to, $"Task not found: {to}", "to"));
                        continue;
                    }

                    var edge = new DependencyEdge(from, to, type);
                    if (graph.Contains(edge) || created.Contains(edge))
                    {
                        warnings.Add(new LinkIssue("DUPLICATE", from, to, $"Dependency {from} -> {to} ({type}) already exists"));
                        continue;
                    }

                    var problem = Problem(graph, created, edge);
                    if (problem is not null)
                    {
                        errors.Add(problem);
                        continue;
                    }

                    created.Add(edge);
                }
            }

            if (created.Count > 0)
            {
                var revision = await context.Records.PutDependenciesAsync(new DependencyGraphRecord { Edges = [.. current.Value.Edges, .. created], Actor = actor }, current.Revision, cancellationToken).ConfigureAwait(false);
                await context.SeenAsync(RecordKeys.Dependencies, revision, cancellationToken).ConfigureAwait(false);
            }

            return new LinkResult(created, warnings, errors, type);
        }, GraphContext.MaxDependencyAttempts, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes edges; <c>*</c> on one side means every edge of the type on that side.</summary>
    public async Task<UnlinkResult> UnlinkAsync(IReadOnlyList<string> froms, IReadOnlyList<string> tos, string type, string? actor, CancellationToken cancellationToken = default)
    {
        CheckType(type, "type");
        var anyFrom = froms is ["*"];
        var anyTo = tos is ["*"];
        if (anyFrom && anyTo)
        {
            throw TaskGraphException.Invalid("from", "from and to cannot both be '*'");
        }

        if (froms.Count == 0)
        {
            throw TaskGraphException.Missing("from");
        }

        if (tos.Count == 0)
        {
            throw TaskGraphException.Missing("to");
        }

        return await context.RetryAsync(async _ =>
        {
            var current = await context.Records.GetDependenciesAsync(cancellationToken).ConfigureAwait(false);
            var removed = current.Value.Edges
                .Where(e => e.Type == type && (anyFrom || froms.Contains(e.From)) && (anyTo || tos.Contains(e.To)))
                .ToList();
            var errors = new List<LinkIssue>();
            if (!anyFrom && !anyTo)
            {
                foreach (var from in froms)
                {
                    foreach (var to in tos)
                    {
                        if (!removed.Any(e => e.From == from && e.To == to))
                        {
                            errors.Add(new LinkIssue("DEPENDENCY_NOT_FOUND", from, to, $"No {type} dependency {from} -> {to}"));
                        }
                    }
                }
            }

            if (removed.Count > 0)
            {
                var next = new DependencyGraphRecord { Edges = [.. current.Value.Edges.Except(removed)], Actor = actor };
                var revision = await context.Records.PutDependenciesAsync(next, current.Revision, cancellationToken).ConfigureAwait(false);
                await context.SeenAsync(RecordKeys.Dependencies, revision, cancellationToken).ConfigureAwait(false);
            }

            return new UnlinkResult(removed, errors);
        }, GraphContext.MaxDependencyAttempts, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Atomically removes the previous pairs and links the new ones; any problem changes nothing.</summary>
    public async Task<RelinkResult> RelinkAsync(
        IReadOnlyList<string> prevFroms, IReadOnlyList<string> prevTos, IReadOnlyList<string> froms, IReadOnlyList<string> tos, string type, string? actor,
        CancellationToken cancellationToken = default)
    {
        CheckType(type, "type");
        foreach (var (list, field) in new[] { (prevFroms, "prev_from"), (prevTos, "prev_to"), (froms, "from"), (tos, "to") })
        {
            if (list.Count == 0)
            {
                throw TaskGraphException.Missing(field);
            }

            foreach (var id in list)
            {
                Limits.Id(id, field);
            }
        }

        foreach (var id in froms.Concat(tos).Distinct(StringComparer.Ordinal))
        {
            if (await context.Records.GetTaskAsync(id, cancellationToken).ConfigureAwait(false) is null)
            {
                return new RelinkResult(false, [], [], type, $"Relink failed: Task not found: {id}");
            }
        }

        return await context.RetryAsync(async _ =>
        {
            var current = await context.Records.GetDependenciesAsync(cancellationToken).ConfigureAwait(false);
            var unlinked = current.Value.Edges.Where(e => e.Type == type && prevFroms.Contains(e.From) && prevTos.Contains(e.To)).ToList();
            var edges = current.Value.Edges.Except(unlinked).ToList();
            var graph = new DependencyGraph(edges, context.Config.Dependencies);
            var linked = new List<DependencyEdge>();
            foreach (var from in froms)
            {
                foreach (var to in tos)
                {
                    var edge = new DependencyEdge(from, to, type);
                    if (graph.Contains(edge) || linked.Contains(edge))
                    {
                        continue;
                    }

                    if (Problem(graph, linked, edge) is { } problem)
                    {
                        return new RelinkResult(false, [], [], type, $"Relink failed: {problem.Message}");
                    }

                    linked.Add(edge);
                }
            }

            edges.AddRange(linked);

            var revision = await context.Records.PutDependenciesAsync(new DependencyGraphRecord { Edges = edges, Actor = actor }, current.Revision, cancellationToken).ConfigureAwait(false);
            await context.SeenAsync(RecordKeys.Dependencies, revision, cancellationToken).ConfigureAwait(false);
            return new RelinkResult(true, unlinked, linked, type, null);
        }, GraphContext.MaxDependencyAttempts, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Throws the first problem adding these edges would cause, without writing.</summary>
    public async Task CheckEdgesAsync(IReadOnlyList<DependencyEdge> newEdges, CancellationToken cancellationToken)
    {
        var graph = DependencyGraph.Of((await context.Records.GetDependenciesAsync(cancellationToken).ConfigureAwait(false)).Value.Edges, context.Config.Dependencies);
        var pending = new List<DependencyEdge>();
        foreach (var edge in newEdges)
        {
            if (Problem(graph, pending, edge) is { } problem)
            {
                throw new TaskGraphException(problem.Code, problem.Message) { Field = "tree" };
            }

            pending.Add(edge);
        }
    }

    /// <summary>Adds edges in one compare-and-swap, re-checking them on every attempt.</summary>
    public Task AddEdgesAsync(IReadOnlyList<DependencyEdge> newEdges, string? actor, CancellationToken cancellationToken) =>
        ChangeAsync((edges, graph) =>
        {
            var pending = new List<DependencyEdge>();
            foreach (var edge in newEdges.Where(e => !graph.Contains(e)))
            {
                if (pending.Contains(edge))
                {
                    continue;
                }

                if (Problem(graph, pending, edge) is { } problem)
                {
                    throw new TaskGraphException(problem.Code, problem.Message) { Field = problem.Field };
                }

                pending.Add(edge);
            }

            edges.AddRange(pending);
        }, actor, cancellationToken);

    /// <summary>Drops every edge that touches the given tasks.</summary>
    public Task RemoveTasksAsync(IReadOnlyList<string> taskIds, string? actor, CancellationToken cancellationToken) =>
        ChangeAsync((edges, _) => edges.RemoveAll(e => taskIds.Contains(e.From) || taskIds.Contains(e.To)), actor, cancellationToken);

    /// <summary>Rewrites every edge of a renamed task.</summary>
    public Task RenameTaskAsync(string oldId, string newId, string? actor, CancellationToken cancellationToken) =>
        ChangeAsync((edges, _) =>
        {
            for (var i = 0; i < edges.Count; i++)
            {
                var e = edges[i];
                edges[i] = e with { From = e.From == oldId ? newId : e.From, To = e.To == oldId ? newId : e.To };
            }
        }, actor, cancellationToken);

    private async Task ChangeAsync(Action<List<DependencyEdge>, DependencyGraph> change, string? actor, CancellationToken cancellationToken) =>
        await context.RetryAsync(async _ =>
        {
            var current = await context.Records.GetDependenciesAsync(cancellationToken).ConfigureAwait(false);
            var edges = current.Value.Edges.ToList();
            change(edges, DependencyGraph.Of(current.Value.Edges, context.Config.Dependencies));
            if (edges.SequenceEqual(current.Value.Edges))
            {
                return current.Revision;
            }

            var revision = await context.Records.PutDependenciesAsync(new DependencyGraphRecord { Edges = edges, Actor = actor }, current.Revision, cancellationToken).ConfigureAwait(false);
            await context.SeenAsync(RecordKeys.Dependencies, revision, cancellationToken).ConfigureAwait(false);
            return revision;
        }, GraphContext.MaxDependencyAttempts, cancellationToken).ConfigureAwait(false);

    /// <summary>The first problem adding <paramref name="edge"/> to <paramref name="graph"/> plus <paramref name="pending"/> would cause.</summary>
    private static LinkIssue? Problem(DependencyGraph graph, IReadOnlyList<DependencyEdge> pending, DependencyEdge edge)
    {
        if (graph.IsVertical(edge.Type) && graph.ParentEdge(edge.To, pending) is { } parent && parent.From != edge.From)
        {
            return new LinkIssue(ErrorCodes.DependencyCycle, edge.From, edge.To, $"Task {edge.To} already has parent {parent.From}", "to");
        }

        return graph.WouldCycle(edge.From, edge.To, edge.Type, pending)
            ? new LinkIssue(ErrorCodes.DependencyCycle, edge.From, edge.To, "Adding this dependency would create a cycle", "to")
            : null;
    }

    private void CheckType(string type, string field)
    {
        if (!context.Config.Dependencies.ContainsKey(type))
        {
            throw TaskGraphException.Invalid(field, $"Invalid dependency type '{type}'. Valid types: [{string.Join(", ", context.Config.Dependencies.Keys)}]");
        }
    }
}
