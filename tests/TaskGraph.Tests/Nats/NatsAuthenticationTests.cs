using System.Globalization;
using System.Text;
using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;

namespace TaskGraph.Tests.Nats;

/// <summary>
/// The node's own NATS connection authenticates with a token, a user and password, or an nkey seed; wrong or missing
/// credentials are refused, and the error says the server refused them.
/// </summary>
public sealed class NatsAuthenticationTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_token_protected_server_accepts_the_right_token_and_refuses_a_wrong_one()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var server = await StartAsync("authorization { token: \"s3cret-token\" }", cts.Token);

        await using (var store = await NatsRecordStore.OpenAsync(Options(server, o => o with { Token = "s3cret-token" }), null, cts.Token))
        {
            var revision = await store.CreateAsync("task.a", Encoding.UTF8.GetBytes("{}"), cts.Token);
            Assert.Equal(revision, (await store.GetAsync("task.a", cts.Token))?.Revision);
        }

        await AssertRefusedAsync(Options(server, o => o with { Token = "wrong" }), cts.Token);
        await AssertRefusedAsync(Options(server, o => o), cts.Token);
    }

    [Fact]
    public async Task A_server_with_users_accepts_the_right_password_and_refuses_a_wrong_one()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var server = await StartAsync("authorization { users: [ { user: \"agent\", password: \"pw-123\" } ] }", cts.Token);

        await using (var store = await NatsRecordStore.OpenAsync(Options(server, o => o with { User = "agent", Password = "pw-123" }), null, cts.Token))
        {
            await store.CreateAsync("worker.w", Encoding.UTF8.GetBytes("{}"), cts.Token);
            Assert.Single(await store.ListAsync("worker.", cts.Token));
        }

        await AssertRefusedAsync(Options(server, o => o with { User = "agent", Password = "nope" }), cts.Token);
        await AssertRefusedAsync(Options(server, o => o with { User = "stranger", Password = "pw-123" }), cts.Token);
    }

    [Fact]
    public async Task A_server_with_nkey_users_accepts_the_users_seed_and_refuses_another_seed()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        using var user = NATS.NKeys.KeyPair.CreatePair(NATS.NKeys.PrefixByte.User);
        using var stranger = NATS.NKeys.KeyPair.CreatePair(NATS.NKeys.PrefixByte.User);
        await using var server = await StartAsync($"authorization {{ users: [ {{ nkey: \"{user.GetPublicKey()}\" }} ] }}", cts.Token);

        await using (var store = await NatsRecordStore.OpenAsync(Options(server, o => o with { NKeySeed = user.GetSeed() }), null, cts.Token))
        {
            var revision = await store.CreateAsync("task.n", Encoding.UTF8.GetBytes("{}"), cts.Token);
            Assert.Equal(revision, (await store.GetAsync("task.n", cts.Token))?.Revision);
        }

        await AssertRefusedAsync(Options(server, o => o with { NKeySeed = stranger.GetSeed() }), cts.Token);
    }

    /// <summary>The open fails, and says the server refused the credentials (not a timeout or a crash elsewhere).</summary>
    private static async Task AssertRefusedAsync(NatsStoreOptions options, CancellationToken cancellationToken)
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => NatsRecordStore.OpenAsync(options, null, cancellationToken));
        var messages = string.Join(" | ", Chain(ex).Select(e => $"{e.GetType().Name}: {e.Message}"));
        Assert.True(
            messages.Contains("authorization", StringComparison.OrdinalIgnoreCase) || messages.Contains("authentication", StringComparison.OrdinalIgnoreCase),
            "expected an authorization refusal, got: " + messages);
    }

    private static IEnumerable<Exception> Chain(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static NatsStoreOptions Options(NatsServerProcess server, Func<NatsStoreOptions, NatsStoreOptions> auth) =>
        auth(new NatsStoreOptions { Url = server.Url, Graph = "auth" + Guid.NewGuid().ToString("N")[..10], OpenTimeout = TimeSpan.FromSeconds(3) });

    private static async Task<NatsServerProcess> StartAsync(string authorization, CancellationToken cancellationToken)
    {
        var directory = NatsServerProcess.CreateTempDirectory();
        var port = NatsServerProcess.FreeLoopbackPort().ToString(CultureInfo.InvariantCulture);
        var config = Path.Combine(directory, "server.conf");
        await File.WriteAllTextAsync(
            config,
            $"listen: 127.0.0.1:{port}\njetstream {{ store_dir: \"{Path.Combine(directory, "js")}\" }}\n{authorization}\n",
            cancellationToken);
        return await NatsServerProcess.StartWithConfigAsync(config, directory, "auth", cancellationToken);
    }
}
