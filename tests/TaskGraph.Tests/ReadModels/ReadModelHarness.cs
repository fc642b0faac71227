using Microsoft.Extensions.Time.Testing;
using TaskGraph.Core.ReadModels;

namespace TaskGraph.Tests.ReadModels;

/// <summary>A fake clock, an in-memory store, a writer and (once started) a read model, with one timeout for every await.</summary>
internal sealed class ReadModelHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(20));
    private readonly List<ReadModel> _models = [];

    public ReadModelHarness()
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Store = new InMemoryRecordStore(Time);
        Writer = new StoreWriter(Store, Time);
    }

    public FakeTimeProvider Time { get; }

    public InMemoryRecordStore Store { get; }

    public StoreWriter Writer { get; }

    public CancellationToken Ct => _timeout.Token;

    public ReadModel Model => _models[0];

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public static async Task<ReadModelHarness> StartedAsync()
    {
        var h = new ReadModelHarness();
        await h.StartModelAsync();
        return h;
    }

    public async Task<ReadModel> StartModelAsync()
    {
        var model = await ReadModel.StartAsync(Store, Time, null, Ct);
        _models.Add(model);
        return model;
    }

    /// <summary>Read-your-writes: waits until the first model has applied the write.</summary>
    public async Task<WriteResult> AppliedAsync(Task<WriteResult> write)
    {
        var result = await write;
        await Model.WaitForAsync(result.Key, result.Revision, Ct);
        return result;
    }

    public void Advance(long ms) => Time.Advance(TimeSpan.FromMilliseconds(ms));

    public async ValueTask DisposeAsync()
    {
        foreach (var model in _models)
        {
            await model.DisposeAsync();
        }

        _timeout.Dispose();
    }
}
