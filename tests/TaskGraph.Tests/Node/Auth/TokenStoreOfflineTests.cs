using Microsoft.Extensions.Time.Testing;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Storage.Sqlite;
using TaskGraph.Node.Auth;

namespace TaskGraph.Tests.Node.Auth;

/// <summary>Bearer tokens on an edge node cut off from its hub: the hub's last word for a token seen, no guess for one never seen.</summary>
[Trait("Lane", "fast")]
public sealed class TokenStoreOfflineTests
{
    [Fact]
    public async Task A_token_seen_before_the_cut_still_authenticates_and_an_unseen_one_is_not_guessed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = cts.Token;
        var dir = TestPaths.TempDir("token-offline");
        try
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
            await using var store = new HubCutStore(await SqliteRecordStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(dir, "t.db") }, time, ct));
            var tokens = new TokenStore(store, time);
            var seen = await tokens.CreateAsync("edge-agent", "worker", "w1", null, TimeSpan.FromHours(1), ct);
            var unseen = await tokens.CreateAsync("other", "worker", null, null, null, ct);
            var expiring = await tokens.CreateAsync("short", "worker", null, null, TimeSpan.FromMinutes(5), ct);
            Assert.Equal("edge-agent", (await tokens.AuthenticateAsync(seen, ct))?.Name);
            Assert.Equal("short", (await tokens.AuthenticateAsync(expiring, ct))?.Name);

            store.Cut = true;
            time.Advance(TimeSpan.FromMinutes(10));
            Assert.Equal("edge-agent", (await tokens.AuthenticateAsync(seen, ct))?.Name);
            await Assert.ThrowsAsync<HubUnreachableException>(async () => await tokens.AuthenticateAsync(unseen, ct));
            await Assert.ThrowsAsync<HubUnreachableException>(async () => await tokens.AuthenticateAsync(expiring, ct));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
