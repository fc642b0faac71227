using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Nodes;
using ModelContextProtocol.Server;
using TaskGraph.Bus.Connection;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Resources;

/// <summary>
/// The catalogue's <c>config://</c> resources: the effective configuration (without secrets), the default workflow's
/// states and phases, the dependency types and the tags. Each read takes the config in force at that moment, so a hot
/// reload shows at the next read.
/// </summary>
[McpServerResourceType]
internal sealed class ConfigResources(NodeConfig config)
{
    /// <summary>What a secret shows as: it is set, but its value is not for an agent.</summary>
    public const string Masked = "***";

    [McpServerResource(UriTemplate = "config://current", Name = "config-current", MimeType = "application/json")]
    [Description("The effective configuration of this node (secrets masked).")]
    public string Current()
    {
        var loaded = config.Loaded;
        var c = loaded.Config;
        var s = c.Server;
        var server = new JsonObject
        {
            ["store"] = s.Store,
            ["graph"] = s.Graph,
            ["graphs"] = ResourceJson.Strings(loaded.ServedGraphs),
            ["db_path"] = s.Store == "sqlite" ? s.DbPath : null,
            ["media_dir"] = s.MediaDir,
            ["skills_dir"] = s.SkillsDir,
            ["log_dir"] = s.LogDir,
            ["cache_dir"] = loaded.CacheDir,
            ["claim_limit"] = s.ClaimLimit,
            ["stale_timeout_seconds"] = s.StaleTimeoutSeconds,
            ["edge_grace_seconds"] = s.EdgeGraceSeconds,
            ["default_format"] = s.DefaultFormat,
            ["default_page_size"] = s.DefaultPageSize,
            ["default_workflow"] = s.DefaultWorkflow,
            ["reads"] = s.Reads,
            ["tools"] = s.Tools,
            ["read_model"] = new JsonObject { ["snapshot"] = loaded.ReadModelSnapshots },
            ["notifications"] = new JsonObject { ["coalesce_ms"] = (long)loaded.NotificationWindow.TotalMilliseconds },
            ["nats"] = Nats(loaded),
            ["http"] = Http(loaded.Http),
            ["auth"] = Auth(loaded),
        };
        var o = new JsonObject
        {
            ["server"] = server,
            ["dependencies"] = DependencyTypes(c.Dependencies),
            ["auto_advance"] = new JsonObject { ["enabled"] = c.AutoAdvance.Enabled, ["target_state"] = c.AutoAdvance.TargetState },
            ["attachments"] = new JsonObject
            {
                ["unknown_key"] = c.Attachments.UnknownKey,
                ["definitions"] = ResourceJson.Map(c.Attachments.Definitions, d => new JsonObject { ["mime"] = d.Mime, ["mode"] = d.Mode }),
            },
            ["tags"] = new JsonObject
            {
                ["unknown_tag"] = c.Tags.UnknownTag,
                ["definitions"] = ResourceJson.Map(c.Tags.Definitions, category => new JsonObject { ["category"] = category }),
            },
            ["ids"] = new JsonObject
            {
                ["task_id_words"] = c.Ids.TaskIdWords,
                ["agent_id_words"] = c.Ids.AgentIdWords,
                ["id_case"] = c.Ids.IdCase,
                ["agent_id_case"] = c.Ids.AgentIdCase,
            },
            ["feedback"] = new JsonObject { ["enabled"] = loaded.FeedbackEnabled },
            ["workflows"] = ResourceJson.Strings(c.Workflows.Keys.Order(StringComparer.Ordinal)),
            ["overlays"] = ResourceJson.Strings(c.Overlays.Keys.Order(StringComparer.Ordinal)),
        };
        return ResourceJson.Serialize(o);
    }

    [McpServerResource(UriTemplate = "config://states", Name = "config-states", MimeType = "application/json")]
    [Description("The default workflow's states: exits, timed, terminal; initial, disconnect and blocking states.")]
    public string States()
    {
        var wf = config.Current.DefaultWorkflow;
        var names = wf.StateNames;
        return ResourceJson.Serialize(new JsonObject
        {
            ["workflow"] = wf.Name,
            ["states"] = ResourceJson.Map(wf.States, (name, state) => new JsonObject
            {
                ["exits"] = ResourceJson.Strings(state.Exits),
                ["timed"] = state.Timed,
                ["terminal"] = state.Exits.Count == 0,
                ["blocking"] = wf.IsBlocking(name),
            }),
            ["initial_state"] = wf.Settings.InitialState,
            ["disconnect_state"] = wf.Settings.DisconnectState,
            ["blocking_states"] = ResourceJson.Strings(wf.Settings.BlockingStates),
            ["timed_states"] = ResourceJson.Strings(names.Where(wf.IsTimed)),
            ["terminal_states"] = ResourceJson.Strings(names.Where(wf.IsTerminal)),
            ["counts"] = new JsonObject
            {
                ["states"] = names.Count,
                ["timed"] = names.Count(wf.IsTimed),
                ["terminal"] = names.Count(wf.IsTerminal),
                ["blocking"] = wf.Settings.BlockingStates.Count,
            },
        });
    }

    [McpServerResource(UriTemplate = "config://phases", Name = "config-phases", MimeType = "application/json")]
    [Description("The default workflow's phases and what an unknown phase does.")]
    public string Phases()
    {
        var wf = config.Current.DefaultWorkflow;
        return ResourceJson.Serialize(new JsonObject
        {
            ["workflow"] = wf.Name,
            ["phases"] = ResourceJson.Strings(wf.Phases),
            ["unknown_phase"] = wf.Settings.UnknownPhase,
            ["count"] = wf.Phases.Count,
        });
    }

    [McpServerResource(UriTemplate = "config://dependencies", Name = "config-dependencies", MimeType = "application/json")]
    [Description("Dependency types and which of them block a task's start or its completion.")]
    public string Dependencies()
    {
        var c = config.Current;
        return ResourceJson.Serialize(new JsonObject
        {
            ["types"] = DependencyTypes(c.Dependencies),
            ["start_blocking"] = ResourceJson.Strings(c.Dependencies.Where(d => d.Value.Blocks == "start").Select(d => d.Key)),
            ["completion_blocking"] = ResourceJson.Strings(c.Dependencies.Where(d => d.Value.Blocks == "completion").Select(d => d.Key)),
            ["parent_type"] = c.ParentType,
            ["count"] = c.Dependencies.Count,
        });
    }

    [McpServerResource(UriTemplate = "config://tags", Name = "config-tags", MimeType = "application/json")]
    [Description("Known tags by category, and what an unknown tag does.")]
    public string Tags()
    {
        var loaded = config.Loaded;
        var tags = loaded.Config.Tags;
        var byCategory = new JsonObject();
        foreach (var group in tags.Definitions.GroupBy(t => t.Value ?? "uncategorized").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            byCategory[group.Key] = new JsonArray([.. group.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => (JsonNode)new JsonObject
            {
                ["name"] = t.Key,
                ["description"] = TagDescription(loaded, t.Key),
            })]);
        }

        return ResourceJson.Serialize(new JsonObject
        {
            ["unknown_tag"] = tags.UnknownTag,
            ["by_category"] = byCategory,
            ["count"] = tags.Definitions.Count,
        });
    }

    private static JsonObject DependencyTypes(IReadOnlyDictionary<string, Core.Configuration.DependencyTypeDefinition> types) =>
        ResourceJson.Map(types, d => new JsonObject { ["display"] = d.Display, ["blocks"] = d.Blocks });

    /// <summary>The node's NATS connection as far as it is not a secret: URLs without credentials, and which credentials are set.</summary>
    private static JsonObject? Nats(LoadedConfig loaded)
    {
        if (loaded.Nats is not { } n)
        {
            return null;
        }

        return new JsonObject
        {
            ["url"] = NatsUrls.Redact(n.Url),
            ["replicas"] = n.Replicas is { } r ? r.ToString(CultureInfo.InvariantCulture) : "auto",
            ["domain"] = n.Domain,
            ["request_timeout_ms"] = (long)n.RequestTimeout.TotalMilliseconds,
            ["connect_timeout_seconds"] = n.OpenTimeout.TotalSeconds,
            ["token"] = n.Token is null ? null : Masked,
            ["user"] = n.User is null ? null : Masked,
            ["password"] = n.Password is null ? null : Masked,
            ["nkey_seed"] = n.NKeySeed is null ? null : Masked,
            ["creds_file"] = n.CredsFile is null ? null : Masked,
            ["tls"] = n.TlsCaFile is null && n.TlsCertFile is null ? null : new JsonObject
            {
                ["ca"] = n.TlsCaFile is null ? null : Masked,
                ["cert"] = n.TlsCertFile is null ? null : Masked,
                ["key"] = n.TlsKeyFile is null ? null : Masked,
            },
        };
    }

    private static JsonObject Http(HttpSettings http) => new()
    {
        ["url"] = http.Url?.ToString(),
        ["tls"] = http.TlsCertFile is not null,
        ["allowed_hosts"] = ResourceJson.Strings(http.AllowedHosts),
        ["allowed_origins"] = ResourceJson.Strings(http.AllowedOrigins),
    };

    private static JsonObject Auth(LoadedConfig loaded)
    {
        var o = new JsonObject { ["roles"] = ResourceJson.Map(loaded.Roles, p => ResourceJson.Strings(p)) };
        if (loaded.Jwt is { } jwt)
        {
            o["jwt"] = new JsonObject
            {
                ["issuer"] = jwt.Issuer,
                ["audience"] = jwt.Audience,
                ["jwks_file"] = jwt.JwksFile is null ? null : Masked,
                ["jwks_url"] = jwt.JwksUrl is { } url ? WithoutSecrets(url) : null,
                ["role_claim"] = jwt.RoleClaim,
                ["worker_claim"] = jwt.WorkerClaim,
                ["tags_claim"] = jwt.TagsClaim,
                ["name_claim"] = jwt.NameClaim,
                ["clock_skew_seconds"] = jwt.ClockSkew.TotalSeconds,
            };
        }

        return o;
    }

    private static string WithoutSecrets(Uri url) =>
        new UriBuilder(url) { UserName = string.Empty, Password = string.Empty, Query = string.Empty, Fragment = string.Empty }.Uri.ToString();

    private static string? TagDescription(LoadedConfig loaded, string tag) =>
        loaded.Raw.GetValueOrDefault("tags") is Dictionary<string, object?> tags
        && tags.GetValueOrDefault("definitions") is Dictionary<string, object?> definitions
        && definitions.GetValueOrDefault(tag) is Dictionary<string, object?> definition
        && definition.GetValueOrDefault("description") is ConfigScalar { Value: { } description }
            ? description
            : null;
}
