namespace TaskGraph.Node.Configuration;

/// <summary>
/// Every key a <c>config.yaml</c> may hold: TaskGraph's own and task-graph-mcp's (whose files must load unchanged). A key
/// in neither is refused with a did-you-mean; a key that is accepted but not implemented yet is a warning (one line
/// each, naming file and line) unless it holds its default, so no setting is ever silently ignored.
/// </summary>
public static class ConfigSchema
{
    private const string Any = "*";

    // Accepted but without effect yet: the key and the value that means "as if unset" (null: any value warns).
    private static readonly Dictionary<string, string?> NotImplemented = new(StringComparer.Ordinal)
    {
        ["server.media_dir"] = "task-graph/media",
        ["server.log_dir"] = "task-graph/logs",
        ["server.default_format"] = "json",
        ["server.ui.mode"] = "none",
        ["server.ui.port"] = "31994",
        ["server.ui.retry_initial_ms"] = null,
        ["server.ui.retry_jitter_ms"] = null,
        ["server.ui.retry_max_ms"] = null,
        ["server.ui.retry_multiplier"] = null,
        ["paths.root"] = ".",
        ["paths.style"] = "relative",
        ["paths.map_windows_drives"] = "false",
        ["paths.mappings"] = null,
        ["states"] = null,
        ["phases"] = null,
    };

    private static readonly Node Root = Build(
        "server.db_path", "server.claim_limit", "server.stale_timeout_seconds", "server.edge_grace_seconds", "server.default_page_size",
        "server.default_workflow", "server.store", "server.graph", "server.reads", "server.tools",
        "server.media_dir", "server.skills_dir", "server.log_dir", "server.default_format",
        "server.nats.url", "server.nats.replicas", "server.nats.request_timeout_ms", "server.nats.connect_timeout_seconds", "server.nats.domain",
        "server.nats.token", "server.nats.user", "server.nats.password", "server.nats.nkey_seed", "server.nats.creds_file",
        "server.nats.tls.ca", "server.nats.tls.cert", "server.nats.tls.key",
        "server.http.url", "server.http.tls.cert", "server.http.tls.key", "server.http.allowed_hosts", "server.http.allowed_origins",
        "server.auth.roles.*.permissions", "server.notifications.coalesce_ms", "server.cache_dir", "server.read_model.snapshot",
        "server.auth.jwt.issuer", "server.auth.jwt.audience", "server.auth.jwt.jwks_file", "server.auth.jwt.jwks_url",
        "server.auth.jwt.role_claim", "server.auth.jwt.worker_claim", "server.auth.jwt.tags_claim", "server.auth.jwt.name_claim",
        "server.auth.jwt.clock_skew_seconds",
        "server.ui.mode", "server.ui.port", "server.ui.retry_initial_ms", "server.ui.retry_jitter_ms", "server.ui.retry_max_ms",
        "server.ui.retry_multiplier",
        "paths.root", "paths.style", "paths.map_windows_drives", "paths.mappings.*",
        "dependencies.definitions.*.display", "dependencies.definitions.*.blocks",
        "auto_advance.enabled", "auto_advance.target_state", "auto_rollup.enabled",
        "attachments.unknown_key", "attachments.definitions.*.mime", "attachments.definitions.*.mode",
        "tags.unknown_tag", "tags.definitions.*.category", "tags.definitions.*.description",
        "ids.task_id_words", "ids.agent_id_words", "ids.id_case", "ids.agent_id_case",
        "feedback.enabled",

        // task-graph-mcp's older, config-level state machine and phase list (TaskGraph reads them from workflow files).
        "states.initial", "states.disconnect_state", "states.blocking_states", "states.definitions.*.exits",
        "states.definitions.*.timed", "phases.unknown_phase", "phases.definitions");

    /// <summary>
    /// Checks one file's tree: unknown keys are problems (<c>file:line: unknown key 'a.b' (did you mean 'a.c'?)</c>),
    /// keys that are set but not implemented yet become <paramref name="warnings"/>.
    /// </summary>
    public static void Check(
        Dictionary<string, object?> tree, IReadOnlyDictionary<string, string> keyOrigins, string file, List<string> problems, List<string> warnings)
    {
        Walk(tree, Root, string.Empty, keyOrigins, file, problems, warnings);
    }

    private static void Walk(
        Dictionary<string, object?> map, Node schema, string path, IReadOnlyDictionary<string, string> origins, string file,
        List<string> problems, List<string> warnings)
    {
        foreach (var (key, value) in map)
        {
            var keyPath = path.Length == 0 ? key : $"{path}.{key}";
            var at = origins.GetValueOrDefault(keyPath) ?? file;
            var child = schema.Children.GetValueOrDefault(key) ?? schema.Children.GetValueOrDefault(Any);
            if (child is null)
            {
                var suggestion = Suggest(key, schema.Children.Keys.Where(k => k != Any));
                problems.Add($"{at}: unknown key '{keyPath}'{(suggestion is null ? string.Empty : $" (did you mean '{Join(path, suggestion)}'?)")}");
                continue;
            }

            if (NotImplemented.TryGetValue(child.Path, out var quiet) && IsSet(value, quiet))
            {
                warnings.Add($"{at}: {keyPath} is accepted but not implemented yet; it has no effect");
            }

            if (value is Dictionary<string, object?> childMap)
            {
                if (child.Children.Count == 0)
                {
                    problems.Add($"{at}: {keyPath}: expected a single value, got a map");
                    continue;
                }

                Walk(childMap, child, keyPath, origins, file, problems, warnings);
            }
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static bool IsSet(object? value, string? quietValue) => value switch
    {
        null or ConfigScalar { IsNull: true } => false,
        ConfigScalar scalar => quietValue is null || !string.Equals(scalar.Value, quietValue, StringComparison.OrdinalIgnoreCase),
        Dictionary<string, object?> map => map.Values.Any(v => IsSet(v, null)),
        List<object?> list => list.Count > 0,
        _ => false,
    };

    /// <summary>The closest known key, if it is close enough to be a typo.</summary>
    private static string? Suggest(string key, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(key.ToLowerInvariant(), candidate);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best is not null && bestDistance <= Math.Max(2, key.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static Node Build(params string[] paths)
    {
        var root = new Node(string.Empty);
        foreach (var path in paths)
        {
            var node = root;
            foreach (var segment in path.Split('.'))
            {
                if (!node.Children.TryGetValue(segment, out var next))
                {
                    next = new Node(Join(node.Path, segment));
                    node.Children[segment] = next;
                }

                node = next;
            }
        }

        return root;
    }

    private sealed class Node(string path)
    {
        /// <summary>Where the node sits in the schema, wildcard segments as '*'.</summary>
        public string Path { get; } = path;

        public Dictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);
    }
}
