using TaskGraph.Core.Storage;
using TaskGraph.Tests.ReadModels;

namespace TaskGraph.Tests.Storage;

/// <summary>
/// The store contract on the in-memory test store the read-model tests use, so what they build on behaves like the real
/// stores. A "second instance" is the same store (it has no other process to share with).
/// </summary>
[Trait("Lane", "fast")]
public sealed class InMemoryStoreContractTests : StoreContractTests
{
    /// <inheritdoc />
    protected override Task<IRecordStore> OpenStoreAsync() => Task.FromResult<IRecordStore>(new InMemoryRecordStore(TimeProvider.System));

    /// <inheritdoc />
    protected override Task<IRecordStore> OpenSecondInstanceAsync(IRecordStore first) => Task.FromResult(first);
}
