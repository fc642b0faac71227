using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using TaskGraph.Core.Configuration;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// Base of the in-process tool suites: every test gets a fresh <see cref="InProcessNode"/> (a SQLite file of its own
/// unless a subclass picks another store), a generous timeout on every call, and the envelope assertions all refusals
/// share. The concrete suites carry <c>[Trait("Lane", "fast")]</c>.
/// </summary>
public abstract class InProcessToolTests : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private readonly InProcessNodeFixture? _shared;
    private InProcessNode? _node;

    /// <summary>A suite whose every test starts a node of its own.</summary>
    protected InProcessToolTests()
    {
    }

    /// <summary>A suite whose tests share the fixture's node (they must leave it as they found it, or use their own ids).</summary>
    protected InProcessToolTests(InProcessNodeFixture shared) => _shared = shared;

    /// <summary>Cancels every call of the test after a minute (a loaded machine is slow, never that slow).</summary>
    protected CancellationToken Ct => _timeout.Token;

    /// <summary>The node config (the defaults unless a suite needs others).</summary>
    protected virtual TaskGraphConfig Config => new();

    /// <summary>A controllable clock for the node, or null for the system clock.</summary>
    protected virtual FakeTimeProvider? Clock => null;

    private protected InProcessNode Node => _node ?? throw new InvalidOperationException("The node is not started.");

    public async ValueTask InitializeAsync() => _node = _shared?.Node ?? await StartNodeAsync(Config, Clock, Ct);

    public async ValueTask DisposeAsync()
    {
        if (_node is not null && _shared is null)
        {
            await _node.DisposeAsync();
        }

        _timeout.Dispose();
    }

    /// <summary>Starts the node the suite runs against: SQLite in a temp directory.</summary>
    private protected virtual Task<InProcessNode> StartNodeAsync(TaskGraphConfig config, FakeTimeProvider? clock, CancellationToken cancellationToken) =>
        InProcessNode.StartSqliteAsync(cancellationToken, config, clock);

    /// <summary>Calls a tool that must succeed; returns its JSON body.</summary>
    protected Task<JsonElement> CallAsync(string tool, object? args = null) => Node.CallAsync(tool, args, Ct);

    /// <summary>Calls a tool; returns whether it failed and its body.</summary>
    protected Task<(bool IsError, JsonElement Body)> CallRawAsync(string tool, object? args = null) => Node.CallRawAsync(tool, args, Ct);

    /// <summary>
    /// Calls a tool that must be refused with <paramref name="code"/>; checks the envelope is well formed (a message, no
    /// stack trace, no host path) and returns it.
    /// </summary>
    protected async Task<JsonElement> RefusedAsync(string tool, object? args, string code)
    {
        var envelope = await Node.CallExpectErrorEnvelopeAsync(tool, args, Ct);
        Assert.Equal(code, String(envelope, "code"));
        AssertWellFormed(envelope);
        return envelope;
    }

    /// <summary>A refusal's envelope: a message for the model, no trace, no exception name, no path of this machine.</summary>
    private protected void AssertWellFormed(JsonElement envelope)
    {
        var message = String(envelope, "message");
        Assert.False(string.IsNullOrWhiteSpace(message), envelope.GetRawText());
        var raw = envelope.GetRawText();
        Assert.DoesNotContain("   at ", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetTempPath(), raw, StringComparison.Ordinal);
        if (Node.WorkDirectory is { } dir)
        {
            Assert.DoesNotContain(dir, raw, StringComparison.Ordinal);
        }
    }

    /// <summary>Registers workers (forcing, so a suite may reuse ids).</summary>
    protected async Task ConnectAsync(params string[] workers)
    {
        foreach (var worker in workers)
        {
            await CallAsync("connect", new { worker_id = worker, force = true });
        }
    }

    /// <summary>Creates plain tasks by id (title = id).</summary>
    protected async Task CreateAsync(params string[] ids)
    {
        foreach (var id in ids)
        {
            await CallAsync("create", new { id, title = id });
        }
    }

    /// <summary>The task as <c>get</c> shows it.</summary>
    protected Task<JsonElement> GetAsync(string task) => CallAsync("get", new { task });
}
