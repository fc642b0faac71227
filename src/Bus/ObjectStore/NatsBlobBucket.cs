using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.ObjectStore;
using TaskGraph.Core.Storage;

namespace TaskGraph.Bus.ObjectStore;

/// <summary>
/// A graph's blobs in the JetStream object store <c>tg_&lt;graph&gt;_blobs</c>, with the graph's replica count: what
/// one node writes every node reads. The bucket is made at the first use (a graph without large attachments has none).
/// </summary>
internal sealed class NatsBlobBucket(INatsJSContext js, string graph, int replicas) : IBlobStore
{
    private Task<INatsObjStore>? _opening;

    /// <inheritdoc />
    public string Location { get; } = $"tg_{graph}_blobs";

    /// <inheritdoc />
    public bool IsLocalDirectory => false;

    /// <inheritdoc />
    public async Task PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
            await store.PutAsync(name, data.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsOutage(ex, cancellationToken))
        {
            throw Unavailable("write", name, ex);
        }
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
            return await store.GetBytesAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsObjNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (IsOutage(ex, cancellationToken))
        {
            throw Unavailable("read", name, ex);
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
            await store.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NatsObjNotFoundException)
        {
            return false;
        }
        catch (Exception ex) when (IsOutage(ex, cancellationToken))
        {
            throw Unavailable("delete", name, ex);
        }
    }

    private Task<INatsObjStore> StoreAsync(CancellationToken cancellationToken)
    {
        var opening = Volatile.Read(ref _opening);
        if (opening is null || opening.IsFaulted || opening.IsCanceled)
        {
            // One attempt at a time; a failed one is replaced by the next caller's.
            var mine = OpenAsync();
            opening = Interlocked.CompareExchange(ref _opening, mine, opening) == opening ? mine : Volatile.Read(ref _opening)!;
        }

        return opening.WaitAsync(cancellationToken);
    }

    private async Task<INatsObjStore> OpenAsync()
    {
        var config = new NatsObjConfig(Location) { Description = $"TaskGraph graph '{graph}': attachment blobs", NumberOfReplicas = replicas };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await new NatsObjContext(js).CreateObjectStoreAsync(config, timeout.Token).ConfigureAwait(false);
    }

    private static bool IsOutage(Exception ex, CancellationToken cancellationToken) =>
        ex is NatsException or TimeoutException && ex is not NatsObjNotFoundException && !cancellationToken.IsCancellationRequested;

    private static StoreUnavailableException Unavailable(string what, string name, Exception ex) =>
        new($"NATS object store {what} of blob '{name}' failed: {ex.Message}", ex);
}
