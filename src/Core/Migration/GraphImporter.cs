using TaskGraph.Core.Configuration;
using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Ids;
using TaskGraph.Core.Records;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Migration;

/// <summary>
/// Brings a snapshot into a store (docs/adr/0014). <b>Replace</b> (the default) refuses a non-empty graph unless forced,
/// then replays every entry in order: a put creates its key or writes its next revision, so each record's history,
/// times and actors arrive as they were; only <c>graph.deps</c> changes are rebased on the target's revisions and worker
/// mark cursors mapped to its positions. <b>Merge</b> (and <see cref="ImportOptions.RemapIds"/>, <see cref="ImportOptions.Parent"/>)
/// takes the snapshot's current records, skips what the target has, rewrites ids, and joins the edges to the target's
/// in one change, leaving out an edge to a missing task, a duplicate, a second parent or one that would close a cycle.
/// </summary>
public sealed class GraphImporter
{
    private readonly IRecordStore _target;
    private readonly IBlobStore? _blobs;
    private readonly IReadOnlyDictionary<string, DependencyTypeDefinition> _types;
    private readonly TimeProvider _time;

    /// <summary>Imports into <paramref name="target"/>, its blobs into <paramref name="blobs"/>.</summary>
    public GraphImporter(IRecordStore target, IBlobStore? blobs, IReadOnlyDictionary<string, DependencyTypeDefinition> dependencyTypes, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(dependencyTypes);
        ArgumentNullException.ThrowIfNull(time);
        _target = target;
        _blobs = blobs;
        _types = dependencyTypes;
        _time = time;
    }

    /// <summary>Imports <paramref name="source"/> as <paramref name="options"/> say.</summary>
    public async Task<ImportReport> ImportAsync(IGraphSource source, ImportOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        var merge = options.Merge || options.Parent is not null;
        var existing = await LiveRecordsAsync(_target, cancellationToken).ConfigureAwait(false);
        if (!merge && existing.Count > 0 && !options.Force)
        {
            throw new ImportRefusedException($"the target graph is not empty ({existing.Count} records): --force replaces it, --merge adds to it");
        }

        if (options.Parent is { } parent && !existing.ContainsKey(RecordKeys.Task(parent)))
        {
            throw new ImportRefusedException($"--parent: task '{parent}' is not in the target graph");
        }

        if (!merge && !options.RemapIds)
        {
            return await ReplaceAsync(source, options, existing, cancellationToken).ConfigureAwait(false);
        }

        return await new TransformingImport(this, source, options, merge, existing).RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The live records of the graph in <paramref name="store"/>, key to revision (workers included).</summary>
    public static async Task<Dictionary<string, ulong>> LiveRecordsAsync(IRecordStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var live = new Dictionary<string, ulong>(StringComparer.Ordinal);
        if (await store.GetPositionAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            return live;
        }

        foreach (var prefix in GraphKeys.Prefixes(workers: true))
        {
            foreach (var entry in await store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                live[entry.Key] = entry.Revision;
            }
        }

        return live;
    }

    /// <summary>Deletes every record in <paramref name="live"/> (and the blobs its tasks name); returns how many.</summary>
    internal async Task<long> ClearAsync(Dictionary<string, ulong> live, CancellationToken cancellationToken)
    {
        foreach (var (key, revision) in live.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            if (_blobs is not null && key.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal)
                && await _target.GetAsync(key, cancellationToken).ConfigureAwait(false) is { } task)
            {
                foreach (var blob in GraphKeys.BlobsOf(task.Value))
                {
                    await _blobs.DeleteAsync(blob, cancellationToken).ConfigureAwait(false);
                }
            }

            if (key == RecordKeys.Dependencies)
            {
                // graph.deps is emptied by a snapshot, never deleted: its next change names this revision as its base.
                var empty = RecordJson.Serialize(new DependencyGraphRecord { Actor = "import" }, _time.GetUtcNow().ToUnixTimeMilliseconds(), stamp: null);
                await _target.UpdateAsync(key, empty, revision, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await _target.DeleteAsync(key, revision, cancellationToken).ConfigureAwait(false);
        }

        return live.Count;
    }

    private async Task<ImportReport> ReplaceAsync(IGraphSource source, ImportOptions options, Dictionary<string, ulong> existing, CancellationToken cancellationToken)
    {
        if (options.DryRun)
        {
            var (live, changes, blobCount) = await CountAsync(source, cancellationToken).ConfigureAwait(false);
            return new ImportReport(true, "replace", live, 0, existing.Count, changes, blobCount, null);
        }

        var deleted = await ClearAsync(existing, cancellationToken).ConfigureAwait(false);
        var replay = new LogReplay(_target, _blobs, await LiveRecordsAsync(_target, cancellationToken).ConfigureAwait(false));
        await foreach (var entry in source.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            await replay.ApplyAsync(entry, cancellationToken).ConfigureAwait(false);
            if (replay.Changes % 1000 == 0)
            {
                options.Progress?.Report(replay.Changes);
            }
        }

        options.Progress?.Report(replay.Changes);
        return new ImportReport(false, "replace", replay.LiveKeys, 0, deleted, replay.Changes, replay.Blobs, null);
    }

    private static async Task<(long Live, long Changes, long Blobs)> CountAsync(IGraphSource source, CancellationToken cancellationToken)
    {
        var live = new HashSet<string>(StringComparer.Ordinal);
        long changes = 0;
        long blobs = 0;
        await foreach (var entry in source.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (entry.Kind)
            {
                case SnapshotEntryKind.Put:
                    live.Add(entry.Key);
                    changes++;
                    break;
                case SnapshotEntryKind.Delete:
                    live.Remove(entry.Key);
                    changes++;
                    break;
                default:
                    blobs++;
                    break;
            }
        }

        return (live.Count, changes, blobs);
    }

    /// <summary>Merge, remap and parent: the snapshot's current records, rewritten and joined to the target's.</summary>
    private sealed class TransformingImport(GraphImporter importer, IGraphSource source, ImportOptions options, bool merge, Dictionary<string, ulong> existing)
    {
        private readonly Dictionary<string, long> _final = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _contentKeys = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _blobNames = new(StringComparer.Ordinal);
        private readonly HashSet<string> _imported = new(StringComparer.Ordinal);
        private readonly HashSet<string> _wantedBlobs = new(StringComparer.Ordinal);
        private readonly EdgeReplay _edges = new();
        private long _skipped;
        private long _inserted;
        private long _blobs;
        private long _deleted;

        public async Task<ImportReport> RunAsync(CancellationToken cancellationToken)
        {
            // Pass 1: which entry is each key's current record, and the edge set at the end.
            long index = 0;
            await foreach (var entry in source.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (entry.Key == RecordKeys.Dependencies)
                {
                    if (entry.Kind == SnapshotEntryKind.Put)
                    {
                        _edges.Apply(entry.Value);
                    }
                    else
                    {
                        _edges.Clear();
                    }
                }
                else if (entry.Kind == SnapshotEntryKind.Put)
                {
                    _final[entry.Key] = index;
                }
                else if (entry.Kind == SnapshotEntryKind.Delete)
                {
                    _final.Remove(entry.Key);
                }

                index++;
            }

            var targetTasks = existing.Keys.Where(k => k.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
            DrawIds(targetTasks);
            var mode = merge ? "merge" : "replace";
            if (!merge && existing.Count > 0 && !options.DryRun)
            {
                _deleted = await importer.ClearAsync(existing, cancellationToken).ConfigureAwait(false);
                existing.Clear();
                targetTasks.Clear();
            }
            else if (!merge)
            {
                _deleted = existing.Count;
            }

            foreach (var key in _final.Keys.Where(k => k.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal)))
            {
                if (merge && existing.ContainsKey(RecordKeys.Task(_ids[TaskIdOf(key)])))
                {
                    _skipped++;
                }
                else
                {
                    _imported.Add(_ids[TaskIdOf(key)]);
                }
            }

            // Pass 2: the current records, rewritten.
            index = 0;
            await foreach (var entry in source.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (entry.Kind == SnapshotEntryKind.Put && _final.TryGetValue(entry.Key, out var at) && at == index)
                {
                    await PutAsync(entry, cancellationToken).ConfigureAwait(false);
                }

                index++;
            }

            await JoinEdgesAsync(targetTasks, cancellationToken).ConfigureAwait(false);

            // Pass 3: the blobs the imported attachments name.
            if (_wantedBlobs.Count > 0 && importer._blobs is { } blobs)
            {
                await foreach (var entry in source.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (entry.Kind == SnapshotEntryKind.Blob && _wantedBlobs.Contains(entry.Key))
                    {
                        if (!options.DryRun)
                        {
                            await blobs.PutAsync(MapBlob(entry.Key), entry.Value, cancellationToken).ConfigureAwait(false);
                        }

                        _blobs++;
                    }
                }
            }

            return new ImportReport(options.DryRun, mode, _inserted, _skipped, _deleted, _inserted, _blobs, options.RemapIds ? _ids : null);
        }

        private static string TaskIdOf(string key) => RecordKeys.Decode(key[RecordKeys.TaskPrefix.Length..]);

        private void DrawIds(HashSet<string> targetTasks)
        {
            var names = new PetnameGenerator();
            var taken = new HashSet<string>(targetTasks, StringComparer.Ordinal);
            foreach (var key in _final.Keys.Where(k => k.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                var id = TaskIdOf(key);
                if (!options.RemapIds)
                {
                    _ids[id] = id;
                    continue;
                }

                for (var attempt = 0; ; attempt++)
                {
                    var fresh = names.Next(Math.Min(PetnameGenerator.MaxWords, options.IdWords + (attempt / 8)), options.IdCase);
                    if (taken.Add(RecordKeys.Task(fresh)))
                    {
                        _ids[id] = fresh;
                        break;
                    }
                }
            }
        }

        private string MapId(string id) => _ids.TryGetValue(id, out var mapped) ? mapped : id;

        private string MapContentKey(string key)
        {
            if (!options.RemapIds)
            {
                return key;
            }

            if (!_contentKeys.TryGetValue(key, out var mapped))
            {
                mapped = RecordKeys.Attachment(Guid.NewGuid().ToString("N"));
                _contentKeys[key] = mapped;
            }

            return mapped;
        }

        private string MapBlob(string name)
        {
            if (!options.RemapIds)
            {
                return name;
            }

            if (!_blobNames.TryGetValue(name, out var mapped))
            {
                mapped = $"{Guid.NewGuid():N}"[..8] + "-" + name;
                mapped = mapped.Length > 255 ? mapped[..255] : mapped;
                _blobNames[name] = mapped;
            }

            return mapped;
        }

        private async Task PutAsync(SnapshotEntry entry, CancellationToken cancellationToken)
        {
            var key = entry.Key;
            ReadOnlyMemory<byte> value;
            if (key.StartsWith(RecordKeys.TaskPrefix, StringComparison.Ordinal))
            {
                var id = MapId(TaskIdOf(key));
                if (!_imported.Contains(id))
                {
                    return;
                }

                foreach (var blob in GraphKeys.BlobsOf(entry.Value))
                {
                    _wantedBlobs.Add(blob);
                }

                key = RecordKeys.Task(id);
                value = options.RemapIds ? RecordRewrite.Task(entry.Value, id, MapContentKey, MapBlob) : entry.Value;
            }
            else if (key.StartsWith(RecordKeys.AttachmentPrefix, StringComparison.Ordinal))
            {
                var content = RecordJson.Deserialize<AttachmentContent>(entry.Value);
                if (!_imported.Contains(MapId(content.TaskId)))
                {
                    _skipped++;
                    return;
                }

                key = MapContentKey(key);
                value = RecordRewrite.TaskId(entry.Value, MapId);
            }
            else if (key.StartsWith(RecordKeys.WorkerPrefix, StringComparison.Ordinal))
            {
                value = RecordRewrite.Worker(entry.Value, MapId);
            }
            else
            {
                value = RecordRewrite.TaskId(entry.Value, MapId);
            }

            if (merge && existing.ContainsKey(key))
            {
                _skipped++;
                return;
            }

            if (!options.DryRun)
            {
                await importer._target.CreateAsync(key, value, cancellationToken).ConfigureAwait(false);
            }

            _inserted++;
        }

        private async Task JoinEdgesAsync(HashSet<string> targetTasks, CancellationToken cancellationToken)
        {
            var (targetEdges, depsRevision) = await ReadEdgesAsync(importer._target, cancellationToken).ConfigureAwait(false);
            bool InTarget(string id) => targetTasks.Contains(RecordKeys.Task(id)) && !_imported.Contains(id);
            bool Known(string id) => _imported.Contains(id) || InTarget(id);
            var merged = new List<DependencyEdge>(targetEdges);
            var present = new HashSet<DependencyEdge>(targetEdges);
            var parents = targetEdges.Where(e => IsVertical(e.Type)).Select(e => e.To).ToHashSet(StringComparer.Ordinal);
            var crossing = new List<DependencyEdge>();
            var fromSnapshot = _edges.Edges.Select(e => e with { From = MapId(e.From), To = MapId(e.To) }).ToList();
            if (options.Parent is { } parent)
            {
                var children = fromSnapshot.Where(e => IsVertical(e.Type)).Select(e => e.To).ToHashSet(StringComparer.Ordinal);
                fromSnapshot.AddRange(_imported.Where(id => !children.Contains(id)).Order(StringComparer.Ordinal).Select(id => new DependencyEdge(parent, id, VerticalType())));
            }

            foreach (var edge in fromSnapshot)
            {
                if (!_imported.Contains(edge.From) && !_imported.Contains(edge.To))
                {
                    continue;
                }

                if (!Known(edge.From) || !Known(edge.To) || present.Contains(edge) || (IsVertical(edge.Type) && parents.Contains(edge.To)))
                {
                    _skipped++;
                    continue;
                }

                if (InTarget(edge.From) || InTarget(edge.To))
                {
                    crossing.Add(edge);
                    continue;
                }

                Add(edge);
            }

            // A cycle through both sides needs an edge between them: those are checked against everything else.
            foreach (var edge in crossing)
            {
                if ((IsVertical(edge.Type) && parents.Contains(edge.To)) || DependencyGraph.Of(merged, importer._types).WouldCycle(edge.From, edge.To, edge.Type))
                {
                    _skipped++;
                    continue;
                }

                Add(edge);
            }

            if (merged.Count == targetEdges.Count)
            {
                return;
            }

            _inserted += merged.Count - targetEdges.Count;
            if (options.DryRun)
            {
                return;
            }

            var change = DependencyChangeRecord.Between(targetEdges, depsRevision, merged, "import");
            var bytes = RecordJson.Serialize(change, importer._time.GetUtcNow().ToUnixTimeMilliseconds(), stamp: null);
            _ = !existing.ContainsKey(RecordKeys.Dependencies) && await importer._target.GetAsync(RecordKeys.Dependencies, cancellationToken).ConfigureAwait(false) is null
                ? await importer._target.CreateAsync(RecordKeys.Dependencies, bytes, cancellationToken).ConfigureAwait(false)
                : await importer._target.UpdateAsync(RecordKeys.Dependencies, bytes, depsRevision, cancellationToken).ConfigureAwait(false);

            void Add(DependencyEdge edge)
            {
                merged.Add(edge);
                present.Add(edge);
                if (IsVertical(edge.Type))
                {
                    parents.Add(edge.To);
                }
            }
        }

        private bool IsVertical(string type) => importer._types.TryGetValue(type, out var t) && t.IsVertical;

        private string VerticalType() => importer._types.FirstOrDefault(t => t.Value.IsVertical).Key ?? "contains";
    }

    /// <summary>The edge set of <c>graph.deps</c> in <paramref name="store"/> and the revision it is at (0: none yet).</summary>
    public static async Task<(IReadOnlyList<DependencyEdge> Edges, ulong Revision)> ReadEdgesAsync(IRecordStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var edges = new EdgeReplay();
        ulong revision = 0;
        foreach (var change in await store.HistoryAsync(RecordKeys.Dependencies, 0, cancellationToken).ConfigureAwait(false))
        {
            if (change.Kind == ChangeKind.Put)
            {
                edges.Apply(change.Value);
            }
            else
            {
                edges.Clear();
            }

            revision = change.Revision;
        }

        return (edges.Edges, revision);
    }
}
