using TaskGraph.Core.Configuration;
using TaskGraph.Node.Configuration;
using TaskGraph.Node.Feedback;

namespace TaskGraph.Tests.Node.Feedback;

/// <summary>Where <c>feedback.md</c> lives: beside the SQLite file, or in <c>server.cache_dir</c> on NATS; answers name it relative to the project.</summary>
[Trait("Lane", "fast")]
public sealed class FeedbackLogTests
{
    [Fact]
    public void On_sqlite_the_file_is_beside_the_database()
    {
        var db = Path.Combine(Path.GetTempPath(), "tg-feedback-where", "graphs", "tasks.db");
        var log = Log(LoadedConfig.Of(new TaskGraphConfig { Server = new ServerSettings { DbPath = db } }));
        Assert.Equal(Path.Combine(Path.GetDirectoryName(db)!, "feedback.md"), log.Path);
    }

    [Fact]
    public void On_nats_the_file_is_in_the_cache_directory()
    {
        var cache = Path.Combine(Path.GetTempPath(), "tg-feedback-where", "cache");
        var log = Log(LoadedConfig.Of(new TaskGraphConfig { Server = new ServerSettings { Store = "nats" } }) with { CacheDir = cache });
        Assert.Equal(Path.Combine(cache, "feedback.md"), log.Path);
    }

    [Fact]
    public void The_file_is_named_relative_to_the_project_and_only_by_its_name_outside_it()
    {
        var project = Path.Combine(Path.GetTempPath(), "tg-feedback-project");
        var loaded = LoadedConfig.Of(new TaskGraphConfig { Server = new ServerSettings { DbPath = Path.Combine(project, "task-graph", "tasks.db") } }) with
        {
            Options = new ConfigLoadOptions { ProjectDirectory = project },
        };
        var log = Log(loaded);
        Assert.Equal("task-graph/feedback.md", log.DisplayName(log.Path));
        Assert.Equal("feedback.md", log.DisplayName(Path.Combine(Path.GetTempPath(), "elsewhere", "feedback.md")));
    }

    private static FeedbackLog Log(LoadedConfig loaded) => new(new NodeConfig(loaded), TimeProvider.System);
}
