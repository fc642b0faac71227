using TaskGraph.Core.Configuration;
using TaskGraph.Core.Records;
using TaskGraph.Core.Runtime;
using TaskGraph.Core.Tasks;
using TaskGraph.Core.Workers;

namespace TaskGraph.Tests.Rules.Claims;

/// <summary>
/// The node under test for the claim-next rules: a <see cref="GraphRuntime"/> (rules plus the read model the candidates come
/// from) over a <see cref="LaggingStore"/>, beside <see cref="Other"/>, a second node on the same SQLite file that writes
/// straight to the store (what another agent's node does). Fake clock.
/// </summary>
public sealed class ClaimNextNode : IAsyncDisposable
{
    private ClaimNextNode(RulesHarness other, LaggingStore lag, GraphRuntime runtime)
    {
        Other = other;
        Lag = lag;
        Runtime = runtime;
    }

    /// <summary>Another node on the same data, without a read model.</summary>
    public RulesHarness Other { get; }

    /// <summary>The node's store, whose watch can be made to lag.</summary>
    public LaggingStore Lag { get; }

    /// <summary>The node under test.</summary>
    public GraphRuntime Runtime { get; }

    /// <summary>A fresh file with both nodes.</summary>
    public static async Task<ClaimNextNode> CreateAsync(CancellationToken cancellationToken, TaskGraphConfig? config = null)
    {
        var other = await RulesHarness.CreateAsync(config, cancellationToken: cancellationToken);
        var lag = new LaggingStore(await other.OpenStoreAsync(cancellationToken));
        var runtime = await GraphRuntime.StartAsync(lag, other.Config, other.Time, other.MarkDirectory, null, cancellationToken);
        return new ClaimNextNode(other, lag, runtime);
    }

    /// <summary>Connects a worker through the node under test.</summary>
    public async Task ConnectAsync(string id, CancellationToken cancellationToken, params string[] tags) =>
        await Runtime.Workers.ConnectAsync(new ConnectRequest { WorkerId = id, Tags = tags }, cancellationToken);

    /// <summary>Creates a task through the node under test (title = id).</summary>
    public async Task<TaskRecord> TaskAsync(
        string id,
        CancellationToken cancellationToken,
        int priority = 5,
        string[]? tags = null,
        string[]? needed = null,
        string[]? wanted = null,
        string? phase = null,
        string? parent = null) =>
        (await Runtime.Tasks.CreateAsync(
            new CreateTaskRequest { Id = id, Title = id, Priority = priority, Tags = tags, NeededTags = needed, WantedTags = wanted, Phase = phase, Parent = parent },
            cancellationToken)).Task;

    /// <summary>Links one pair through the node under test (so its read model has the edge when this returns).</summary>
    public async Task LinkAsync(string from, string to, CancellationToken cancellationToken)
    {
        var result = await Runtime.Dependencies.LinkAsync([from], [to], "blocks", null, cancellationToken);
        Assert.Empty(result.Errors);
    }

    /// <summary>Claim-next through the node under test.</summary>
    public Task<ClaimNextResult> NextAsync(string worker, CancellationToken cancellationToken, string[]? tagsAny = null, string? phase = null, string? parent = null) =>
        Runtime.ClaimNext.ClaimNextAsync(new ClaimNextRequest { WorkerId = worker, TagsAny = tagsAny ?? [], Phase = phase, Parent = parent }, cancellationToken);

    /// <summary>The id of the task claim-next claimed.</summary>
    public async Task<string> NextIdAsync(string worker, CancellationToken cancellationToken, string[]? tagsAny = null, string? phase = null, string? parent = null) =>
        (await NextAsync(worker, cancellationToken, tagsAny, phase, parent)).Claim.Task.Id;

    /// <summary>Completes a task as its owner, through the node under test.</summary>
    public Task<UpdateTaskResult> CompleteAsync(string worker, string task, CancellationToken cancellationToken) =>
        Runtime.Tasks.UpdateAsync(new UpdateTaskRequest { WorkerId = worker, TaskId = task, Status = "completed" }, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync();
        await Other.DisposeAsync();
    }
}
