using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.EndToEnd;

/// <summary>
/// Hot reload against the built executable: an edit of the config file takes effect in the running node within a
/// second or two (the tool profile switches), an invalid edit is refused with one logged line and the running config
/// stays, and a later valid edit applies again.
/// </summary>
public sealed class ConfigReloadTests
{
    [Fact]
    public async Task A_valid_edit_applies_while_running_and_an_invalid_one_is_refused_and_logged()
    {
        var ct = Timeout(90);
        var dir = TestPaths.TempDir("reload");
        var file = Path.Combine(dir, "config.yaml");
        await File.WriteAllTextAsync(file, "server:\n  tools: core\n", ct);
        try
        {
            await using var node = await NodeProcess.StartAsync(ct, "--config", file);
            Assert.Equal(10, (await node.Client.ListToolsAsync(cancellationToken: ct)).Count);

            await File.WriteAllTextAsync(file, "server:\n  tools: full\n", ct);
            await UntilAsync(async () => (await node.Client.ListToolsAsync(cancellationToken: ct)).Count > 10, "the full profile after the edit", ct);
            await UntilAsync(() => Task.FromResult(node.Stderr.Any(l => l.Contains("config reloaded", StringComparison.Ordinal))), "the reload logged", ct);

            await File.WriteAllTextAsync(file, "server:\n  tools: tiny\n", ct);
            await UntilAsync(() => Task.FromResult(node.Stderr.Any(l => l.Contains("config edit refused", StringComparison.Ordinal) && l.Contains("server.tools", StringComparison.Ordinal))), "the refusal logged", ct);
            Assert.True((await node.Client.ListToolsAsync(cancellationToken: ct)).Count > 10, "the running config stays after an invalid edit");
            Assert.Contains(await node.Client.ListToolsAsync(cancellationToken: ct), t => t.Name == "create");

            await File.WriteAllTextAsync(file, "server:\n  tools: core\n", ct);
            await UntilAsync(async () => (await node.Client.ListToolsAsync(cancellationToken: ct)).Count == 10, "the core profile again", ct);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
