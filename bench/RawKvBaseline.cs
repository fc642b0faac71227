using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;

namespace TaskGraph.Bench;

/// <summary>
/// Raw NATS.Client.KeyValueStore on its own R1 bucket: one read-then-claim round trip is <c>GetEntryAsync</c> then
/// <c>UpdateAsync(key, value, revision)</c> on the caller's own key; a race attempt is the same on a shared, unowned key.
/// One connection shared by all callers, as the store does.
/// </summary>
internal sealed class RawKvBaseline : IRawBaseline
{
    private static readonly byte[] Unowned = [0];
    private readonly NatsConnection _connection;
    private readonly INatsKVStore _kv;

    private RawKvBaseline(NatsConnection connection, INatsKVStore kv)
    {
        _connection = connection;
        _kv = kv;
    }

    /// <inheritdoc />
    public string Name => "raw KV GetEntry+Update(rev)";

    /// <inheritdoc />
    public string RaceName => "raw KV GetEntry+Update(rev) race";

    /// <summary>Connects, creates the bucket and the callers' keys.</summary>
    public static async Task<RawKvBaseline> OpenAsync(string url, int callers, CancellationToken cancellationToken)
    {
        var connection = new NatsConnection(new NatsOpts { Url = url, RequestTimeout = TimeSpan.FromSeconds(5) });
        await connection.ConnectAsync().ConfigureAwait(false);
        var kv = await new NatsKVContext(new NatsJSContext(connection)).CreateStoreAsync(new NatsKVConfig("rawbench"), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < callers; i++)
        {
            await kv.PutAsync($"k{i}", BitConverter.GetBytes(0L), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return new RawKvBaseline(connection, kv);
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(int caller, long sequence, CancellationToken cancellationToken)
    {
        var key = $"k{caller}";
        var entry = await _kv.GetEntryAsync<byte[]>(key, cancellationToken: cancellationToken).ConfigureAwait(false);
        await _kv.UpdateAsync(key, BitConverter.GetBytes(sequence), entry.Revision, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask PrepareRaceAsync(int rounds, CancellationToken cancellationToken)
    {
        for (var i = 0; i < rounds; i++)
        {
            await _kv.PutAsync($"r{i}", Unowned, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> RaceAsync(int caller, int round, CancellationToken cancellationToken)
    {
        var key = $"r{round}";
        var entry = await _kv.GetEntryAsync<byte[]>(key, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (entry.Value is not [0])
        {
            return false;
        }

        try
        {
            await _kv.UpdateAsync(key, new[] { (byte)(caller + 1) }, entry.Revision, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NatsKVWrongLastRevisionException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
