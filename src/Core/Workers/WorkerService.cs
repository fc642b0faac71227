using TaskGraph.Core.Claims;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Ids;
using TaskGraph.Core.Leases;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Workflows;

namespace TaskGraph.Core.Workers;

/// <summary>Worker lifecycle: connect, heartbeat, thinking, disconnect, listing with stale eviction.</summary>
public sealed class WorkerService(GraphContext context)
{
    private readonly WorkReleaser _releaser = new(context);
    private readonly StaleWorkerSweeper _sweeper = new(context);
    private readonly ClaimLedger _ledger = new(context);

    /// <summary>Registers a worker (or re-registers it with force, keeping its claims).</summary>
    public async Task<ConnectResult> ConnectAsync(ConnectRequest request, CancellationToken cancellationToken = default)
    {
        var config = context.Config;
        var tags = Limits.Tags(request.Tags, "tags");
        var tagWarnings = TagPolicy.Check(config.Tags, tags, "tags");
        var overlays = Limits.List(request.Overlays, "overlays");
        Limits.Text(request.Workflow, "workflow", Limits.IdLength);
        var workflow = config.WorkflowFor(request.Workflow, request.Overlays);
        var maxClaims = workflow.RoleFor(tags)?.MaxClaims is { } roleLimit ? Math.Min(roleLimit, config.Server.ClaimLimit) : config.Server.ClaimLimit;

        if (request.WorkerId is null)
        {
            // Create-if-absent: a drawn id another node took meanwhile is redrawn, never overwritten.
            var created = await IdDraw.CreateAsync(
                context.Petnames, config.Ids.AgentIdWords, config.Ids.AgentIdCase, id => WriteAsync(id, null, tags, maxClaims, request, overlays, cancellationToken)).ConfigureAwait(false);
            return new ConnectResult(created, workflow, tagWarnings);
        }

        var workerId = Limits.Id(request.WorkerId, "worker_id");
        var worker = await context.RetryAsync(async _ =>
        {
            var existing = await context.Records.GetWorkerAsync(workerId, cancellationToken).ConfigureAwait(false);
            if (existing is not null && !request.Force)
            {
                throw new TaskGraphException(ErrorCodes.AlreadyExists, $"Worker ID '{workerId}' already registered. Use force=true to reconnect.")
                {
                    Field = "worker_id",
                    Suggestion = "connect(worker_id, force=true) to take over the registration; claims are kept.",
                };
            }

            // A reconnect keeps the claims the worker still holds, never the ones it lost meanwhile (taken over, released).
            var kept = existing is { } e && e.Value.Claims.Count > 0
                ? await _ledger.PruneAsync(e.Value, context.NowMs, cancellationToken).ConfigureAwait(false)
                : [];
            return await WriteAsync(workerId, existing, tags, maxClaims, request, overlays, cancellationToken, kept).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return new ConnectResult(worker, workflow, tagWarnings);
    }

    /// <summary>Releases the worker's tasks to an untimed state and its marks, then removes it.</summary>
    public async Task<DisconnectResult> DisconnectAsync(string workerId, string? finalStatus, CancellationToken cancellationToken = default)
    {
        Limits.Id(workerId, "worker_id");
        var existing = await context.Records.GetWorkerAsync(workerId, cancellationToken).ConfigureAwait(false)
            ?? throw TaskGraphException.AgentNotFound(workerId);
        var workflow = context.Config.WorkflowFor(existing.Value.Workflow, existing.Value.Overlays);
        var target = WorkReleaser.ReleaseState(workflow, finalStatus);

        var released = await _releaser.ReleaseTasksAsync(workerId, existing.Value.Claims.Select(c => c.TaskId), workflow, target, ChangeKinds.Release, "worker disconnected", workerId, cancellationToken).ConfigureAwait(false);
        var marks = await _releaser.ReleaseMarksAsync(workerId, cancellationToken).ConfigureAwait(false);
        await context.RetryAsync(async _ =>
        {
            var current = await context.Records.GetWorkerAsync(workerId, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return 0UL;
            }

            var revision = await context.Records.DeleteAsync(RecordKeys.Worker(workerId), current.Value.Revision, cancellationToken).ConfigureAwait(false);
            await context.SeenAsync(RecordKeys.Worker(workerId), revision, cancellationToken).ConfigureAwait(false);
            return revision;
        }, cancellationToken).ConfigureAwait(false);
        await context.Records.RemoveLivenessAsync(workerId, cancellationToken).ConfigureAwait(false);
        return new DisconnectResult(released.Count, marks.Count, target);
    }

    /// <summary>
    /// Adds (<paramref name="add"/> true, appended last) or removes an overlay of the worker's and stores the list;
    /// answers the list and the diff of the effective workflow (for a removal, what the overlay had added).
    /// </summary>
    public async Task<OverlayChange> ChangeOverlayAsync(string workerId, string overlay, bool add, CancellationToken cancellationToken = default)
    {
        Limits.Id(workerId, "worker_id");
        if (string.IsNullOrWhiteSpace(Limits.Text(overlay, "overlay", Limits.IdLength)))
        {
            throw new TaskGraphException(ErrorCodes.MissingRequiredField, "overlay is required") { Field = "overlay" };
        }

        var config = context.Config;
        if (add && !config.Overlays.ContainsKey(overlay))
        {
            throw TaskGraphException.Invalid("overlay", $"unknown overlay '{overlay}'. Available overlays: [{string.Join(", ", config.Overlays.Keys.Order(StringComparer.Ordinal))}]");
        }

        return await context.RetryAsync(
            async _ =>
            {
                var current = await context.Records.GetWorkerAsync(workerId, cancellationToken).ConfigureAwait(false)
                    ?? throw TaskGraphException.AgentNotFound(workerId, "worker_id");
                var worker = current.Value;
                if (add && worker.Overlays.Contains(overlay, StringComparer.Ordinal))
                {
                    throw TaskGraphException.Invalid("overlay", $"overlay '{overlay}' is already active on worker '{workerId}'");
                }

                if (!add && !worker.Overlays.Contains(overlay, StringComparer.Ordinal))
                {
                    throw TaskGraphException.Invalid("overlay", $"overlay '{overlay}' is not active on worker '{workerId}'. Active overlays: [{string.Join(", ", worker.Overlays)}]");
                }

                IReadOnlyList<string> next = add ? [.. worker.Overlays, overlay] : [.. worker.Overlays.Where(o => o != overlay)];
                await context.Records.PutWorkerAsync(worker with { Overlays = next }, current.Revision, cancellationToken).ConfigureAwait(false);
                var before = config.WorkflowFor(worker.Workflow, worker.Overlays);
                var after = config.WorkflowFor(worker.Workflow, next);
                return new OverlayChange(workerId, next, add ? WorkflowOverlays.Diff(before, after) : WorkflowOverlays.Diff(after, before))
                {
                    Workflow = after,
                    Role = after.RoleFor(worker.Tags),
                };
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A registered worker, or null.</summary>
    public async Task<WorkerRecord?> FindAsync(string workerId, CancellationToken cancellationToken = default) =>
        (await context.Records.GetWorkerAsync(Limits.Id(workerId, "worker_id"), cancellationToken).ConfigureAwait(false))?.Value;

    /// <summary>The workflow a worker follows (the default workflow for null or an unknown worker).</summary>
    public async Task<WorkflowDefinition> WorkflowOfAsync(string? workerId, CancellationToken cancellationToken = default)
    {
        if (workerId is null)
        {
            return context.Config.DefaultWorkflow;
        }

        var worker = await context.Records.GetWorkerAsync(Limits.Id(workerId, "worker_id"), cancellationToken).ConfigureAwait(false);
        return context.Config.WorkflowFor(worker?.Value.Workflow, worker?.Value.Overlays);
    }

    /// <summary>Reads a worker that must exist and hold a live lease.</summary>
    public async Task<Versioned<WorkerRecord>> RequireLiveAsync(string workerId, string field, CancellationToken cancellationToken = default)
    {
        Limits.Id(workerId, field);
        var worker = await context.Records.GetWorkerAsync(workerId, cancellationToken).ConfigureAwait(false)
            ?? throw TaskGraphException.UnregisteredWorker(workerId, field);
        if (!Lease.IsAlive(worker.Value, context.NowMs))
        {
            throw TaskGraphException.LeaseExpired(workerId, field);
        }

        return worker;
    }

    /// <summary>Renews the worker's lease (when due) and returns the current record; the renewal is volatile (<see cref="LeaseRenewal"/>).</summary>
    public Task<WorkerRecord> HeartbeatAsync(string workerId, bool always, CancellationToken cancellationToken = default) =>
        HeartbeatAsync(workerId, always, "worker_id", cancellationToken);

    /// <summary>Renews the worker's lease (when due), naming <paramref name="field"/> in the error when it is unknown or lapsed.</summary>
    public async Task<WorkerRecord> HeartbeatAsync(string workerId, bool always, string field, CancellationToken cancellationToken = default)
    {
        var worker = await RequireLiveAsync(workerId, field, cancellationToken).ConfigureAwait(false);
        return !always && !Lease.NeedsRenewal(worker.Value, context.NowMs, context.Config.Server.StaleTimeoutSeconds)
            ? worker.Value
            : await LeaseRenewal.RenewAsync(context, worker.Value, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Heartbeat plus the worker's current thought on its owned tasks (all, or the listed ones).</summary>
    public async Task<int> ThinkingAsync(string workerId, string thought, IReadOnlyList<string>? taskIds, CancellationToken cancellationToken = default)
    {
        Limits.Text(thought, "thought");
        if (taskIds is { Count: > 0 })
        {
            // A thought on a task this worker lost (taken over, evicted, released, finished by others) is a late write:
            // refused before anything is written, heartbeat included.
            var listed = await Task.WhenAll(taskIds.Distinct(StringComparer.Ordinal).Select(id => context.Records.GetTaskAsync(Limits.Id(id, "tasks"), cancellationToken).AsTask())).ConfigureAwait(false);
            foreach (var task in listed)
            {
                if (task is { } t && !t.Value.IsDeleted && ClaimFence.For(t.Value, workerId) is { } fence)
                {
                    throw ClaimFence.Refused(t.Value, fence, "tasks");
                }
            }
        }

        // One volatile write: the lease renewed with the thought laid on it; the task records (and the durable log) are untouched.
        var current = await RequireLiveAsync(workerId, "agent", cancellationToken).ConfigureAwait(false);
        var about = taskIds is { Count: > 0 } ? taskIds.Distinct(StringComparer.Ordinal).ToList() : [];
        var worker = await LeaseRenewal.RenewAsync(context, current.Value, cancellationToken, thought: (thought, about)).ConfigureAwait(false);
        var targets = worker.Claims.Select(c => c.TaskId)
            .Where(id => about.Count == 0 || about.Contains(id, StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal);
        var owned = await Task.WhenAll(targets.Select(id => context.Records.GetTaskAsync(id, cancellationToken).AsTask())).ConfigureAwait(false);
        return owned.Count(t => t is { } task && task.Value.Owner == workerId);
    }

    /// <summary>All workers with their live claim counts.</summary>
    public async Task<IReadOnlyList<WorkerView>> ListAsync(CancellationToken cancellationToken = default)
    {
        var thoughts = context.Records.ListLivenessAsync(cancellationToken).AsTask();
        var entries = await context.Records.ListWorkersAsync(cancellationToken).ConfigureAwait(false);
        var live = await thoughts.ConfigureAwait(false);
        var views = new List<WorkerView>(entries.Count);
        foreach (var entry in entries)
        {
            var worker = entry.Value;
            var owned = new List<string>();
            string? thought = null;
            foreach (var claim in worker.Claims)
            {
                var task = await context.Records.GetTaskAsync(claim.TaskId, cancellationToken).ConfigureAwait(false);
                if (task is { } t && t.Value.Owner == worker.Id)
                {
                    owned.Add(t.Value.Id);
                    thought ??= live.GetValueOrDefault(worker.Id)?.ThoughtOn(t.Value.Id);
                }
            }

            views.Add(new WorkerView(worker, owned.Count, thought, owned));
        }

        return views;
    }

    /// <summary>Evicts stale workers (see <see cref="StaleWorkerSweeper"/>).</summary>
    public Task<EvictionResult> CleanupStaleAsync(int? timeoutSeconds, string? finalStatus, string? actor, CancellationToken cancellationToken = default)
    {
        if (timeoutSeconds is < 0)
        {
            throw TaskGraphException.Invalid("timeout", "timeout must be zero or positive");
        }

        return _sweeper.SweepAsync(timeoutSeconds, finalStatus, actor, cancellationToken);
    }

    private async Task<WorkerRecord> WriteAsync(
        string id,
        Versioned<WorkerRecord>? existing,
        IReadOnlyList<string> tags,
        int maxClaims,
        ConnectRequest request,
        IReadOnlyList<string> overlays,
        CancellationToken cancellationToken,
        IReadOnlyList<ClaimReservation>? claims = null)
    {
        var now = context.NowMs;
        var server = context.Config.Server;
        var position = await context.Records.Store.GetPositionAsync(cancellationToken).ConfigureAwait(false);
        var worker = Lease.Renew(
            new WorkerRecord
            {
                Id = id,
                Tags = tags,
                MaxClaims = maxClaims,
                RegisteredAt = now,
                Workflow = request.Workflow,
                Overlays = overlays,
                Claims = claims ?? [],
                MarkCursor = position + 1,
                Edge = context.Records.Store is IStoreLink { IsEdge: true },
            },
            now,
            server);
        var revision = await context.Records.PutWorkerAsync(worker, existing?.Revision ?? 0, cancellationToken).ConfigureAwait(false);
        await context.SeenAsync(RecordKeys.Worker(id), revision, cancellationToken).ConfigureAwait(false);

        // A (re)connect starts a fresh lease in the volatile key space too, clearing an eviction mark.
        return await LeaseRenewal.RenewAsync(context, worker, cancellationToken, worker.MarkCursor, reset: true).ConfigureAwait(false);
    }
}
