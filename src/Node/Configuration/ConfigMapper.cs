using System.Globalization;
using TaskGraph.Core.Configuration;

namespace TaskGraph.Node.Configuration;

/// <summary>Maps a merged config tree onto <see cref="TaskGraphConfig"/>; absent keys keep the built-in defaults.</summary>
public static class ConfigMapper
{
    private static readonly string[] IdCases =
        ["kebab-case", "snake-case", "camel-case", "pascal-case", "lowercase", "uppercase", "title-case"];

    /// <summary>Builds the rules config (without workflows) and node-only settings; type problems go to <paramref name="reader"/>.</summary>
    public static (TaskGraphConfig Config, string? NatsUrl, bool FeedbackEnabled) Map(Dictionary<string, object?> tree, ConfigReader reader)
    {
        var defaults = new TaskGraphConfig();
        var server = reader.Map(tree, "server", "server");
        var d = defaults.Server;
        var nats = reader.Map(server, "nats", "server.nats");
        var natsUrl = reader.Text(nats, "url", "server.nats.url");
        var store = reader.Choice(server, "store", "server.store", "sqlite", "nats") ?? (natsUrl is null ? d.Store : "nats");
        if (store == "nats")
        {
            natsUrl ??= "nats://127.0.0.1:4222";
        }

        var ui = reader.Map(server, "ui", "server.ui");
        reader.Choice(ui, "mode", "server.ui.mode", "none", "web");
        reader.WholeNumber(ui, "port", "server.ui.port");
        reader.Map(tree, "paths", "paths");
        var attachments = reader.Map(tree, "attachments", "attachments");

        var serverSettings = new ServerSettings
        {
            DbPath = reader.Text(server, "db_path", "server.db_path") ?? d.DbPath,
            MediaDir = reader.Text(server, "media_dir", "server.media_dir") ?? d.MediaDir,
            SkillsDir = reader.Text(server, "skills_dir", "server.skills_dir") ?? d.SkillsDir,
            LogDir = reader.Text(server, "log_dir", "server.log_dir") ?? d.LogDir,
            ClaimLimit = reader.WholeNumber(server, "claim_limit", "server.claim_limit") ?? d.ClaimLimit,
            StaleTimeoutSeconds = reader.WholeNumber(server, "stale_timeout_seconds", "server.stale_timeout_seconds") ?? d.StaleTimeoutSeconds,
            EdgeGraceSeconds = reader.WholeNumber(server, "edge_grace_seconds", "server.edge_grace_seconds") ?? d.EdgeGraceSeconds,
            DefaultFormat = reader.Choice(server, "default_format", "server.default_format", "json", "markdown") ?? d.DefaultFormat,
            DefaultPageSize = reader.WholeNumber(server, "default_page_size", "server.default_page_size") ?? d.DefaultPageSize,
            DefaultWorkflow = reader.Text(server, "default_workflow", "server.default_workflow") ?? d.DefaultWorkflow,
            Store = store,
            Graph = reader.Text(server, "graph", "server.graph") ?? d.Graph,
            Reads = reader.Choice(server, "reads", "server.reads", "fresh", "local") ?? d.Reads,
            Tools = reader.Choice(server, "tools", "server.tools", "core", "full") ?? d.Tools,
        };

        var autoAdvance = reader.Map(tree, "auto_advance", "auto_advance");
        var autoRollup = reader.Map(tree, "auto_rollup", "auto_rollup");
        var ids = reader.Map(tree, "ids", "ids");
        var feedback = reader.Map(tree, "feedback", "feedback");

        var config = defaults with
        {
            Server = serverSettings,
            Dependencies = MapDependencies(tree, reader, defaults.Dependencies),
            AutoAdvance = new AutoAdvanceSettings
            {
                Enabled = reader.Bool(autoAdvance, "enabled", "auto_advance.enabled") ?? defaults.AutoAdvance.Enabled,
                TargetState = reader.Text(autoAdvance, "target_state", "auto_advance.target_state") ?? defaults.AutoAdvance.TargetState,
            },
            AutoRollup = new AutoRollupSettings
            {
                Enabled = reader.Bool(autoRollup, "enabled", "auto_rollup.enabled") ?? defaults.AutoRollup.Enabled,
            },
            Ids = new IdSettings
            {
                TaskIdWords = reader.WholeNumber(ids, "task_id_words", "ids.task_id_words") ?? defaults.Ids.TaskIdWords,
                AgentIdWords = reader.WholeNumber(ids, "agent_id_words", "ids.agent_id_words") ?? defaults.Ids.AgentIdWords,
                IdCase = reader.Choice(ids, "id_case", "ids.id_case", IdCases) ?? defaults.Ids.IdCase,
                AgentIdCase = reader.Choice(ids, "agent_id_case", "ids.agent_id_case", IdCases) ?? defaults.Ids.AgentIdCase,
            },
            Tags = MapTags(tree, reader, defaults.Tags),
            Attachments = MapAttachments(attachments, reader, defaults.Attachments),
        };

        return (config, store == "nats" ? natsUrl : null, reader.Bool(feedback, "enabled", "feedback.enabled") ?? false);
    }

    /// <summary>attachments.unknown_key and attachments.definitions (each type's mime and mode), over the built-in types.</summary>
    private static AttachmentSettings MapAttachments(Dictionary<string, object?>? attachments, ConfigReader reader, AttachmentSettings defaults)
    {
        var definitions = new Dictionary<string, AttachmentTypeDefinition>(defaults.Definitions, StringComparer.Ordinal);
        if (reader.Map(attachments, "definitions", "attachments.definitions") is { } tree)
        {
            foreach (var type in tree.Keys)
            {
                var path = $"attachments.definitions.{type}";
                var node = reader.Map(tree, type, path);
                var known = definitions.GetValueOrDefault(type);
                var mime = reader.Text(node, "mime", $"{path}.mime") ?? known?.Mime ?? "text/plain";
                if (!Core.Attachments.AttachmentContents.IsMime(mime))
                {
                    reader.Problem($"{path}.mime", $"'{mime}' is not a MIME type (type/subtype)");
                }

                definitions[type] = new AttachmentTypeDefinition(mime, reader.Choice(node, "mode", $"{path}.mode", "append", "replace") ?? known?.Mode ?? "append");
            }
        }

        return new AttachmentSettings
        {
            UnknownKey = reader.Choice(attachments, "unknown_key", "attachments.unknown_key", "allow", "warn", "reject") ?? defaults.UnknownKey,
            Definitions = definitions,
        };
    }

    private static Dictionary<string, DependencyTypeDefinition> MapDependencies(
        Dictionary<string, object?> tree, ConfigReader reader, IReadOnlyDictionary<string, DependencyTypeDefinition> defaults)
    {
        var result = new Dictionary<string, DependencyTypeDefinition>(defaults, StringComparer.Ordinal);
        var definitions = reader.Map(reader.Map(tree, "dependencies", "dependencies"), "definitions", "dependencies.definitions");
        foreach (var name in definitions?.Keys ?? Enumerable.Empty<string>())
        {
            var path = $"dependencies.definitions.{name}";
            var def = reader.Map(definitions, name, path);
            var baseline = result.GetValueOrDefault(name) ?? new DependencyTypeDefinition();
            result[name] = new DependencyTypeDefinition
            {
                Display = reader.Choice(def, "display", $"{path}.display", "horizontal", "vertical") ?? baseline.Display,
                Blocks = reader.Choice(def, "blocks", $"{path}.blocks", "none", "start", "completion") ?? baseline.Blocks,
            };
        }

        return result;
    }

    private static TagSettings MapTags(Dictionary<string, object?> tree, ConfigReader reader, TagSettings defaults)
    {
        var tags = reader.Map(tree, "tags", "tags");
        var definitions = new Dictionary<string, string?>(defaults.Definitions, StringComparer.Ordinal);
        var tree2 = reader.Map(tags, "definitions", "tags.definitions");
        foreach (var name in tree2?.Keys ?? Enumerable.Empty<string>())
        {
            var def = reader.Map(tree2, name, $"tags.definitions.{name}");
            reader.Text(def, "description", $"tags.definitions.{name}.description");
            definitions[name] = reader.Text(def, "category", $"tags.definitions.{name}.category");
        }

        return new TagSettings
        {
            UnknownTag = reader.Choice(tags, "unknown_tag", "tags.unknown_tag", "allow", "warn", "reject") ?? defaults.UnknownTag,
            Definitions = definitions,
        };
    }

    /// <summary>Formats an integer for a config tree scalar.</summary>
    public static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
