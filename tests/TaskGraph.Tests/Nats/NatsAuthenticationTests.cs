using System.Globalization;
using System.Text;
using NATS.NKeys;
using TaskGraph.Bus.Connection;
using TaskGraph.Bus.KeyValue;
using TaskGraph.Tests.Node.Hosting;

namespace TaskGraph.Tests.Nats;

/// <summary>
/// The node's own NATS connection authenticates with a token, a user and password, an nkey seed, or a creds file
/// (operator/JWT mode); wrong or missing credentials are refused, and the error says the server refused them.
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
        using var user = KeyPair.CreatePair(PrefixByte.User);
        using var stranger = KeyPair.CreatePair(PrefixByte.User);
        await using var server = await StartAsync($"authorization {{ users: [ {{ nkey: \"{user.GetPublicKey()}\" }} ] }}", cts.Token);

        await using (var store = await NatsRecordStore.OpenAsync(Options(server, o => o with { NKeySeed = user.GetSeed() }), null, cts.Token))
        {
            var revision = await store.CreateAsync("task.n", Encoding.UTF8.GetBytes("{}"), cts.Token);
            Assert.Equal(revision, (await store.GetAsync("task.n", cts.Token))?.Revision);
        }

        await AssertRefusedAsync(Options(server, o => o with { NKeySeed = stranger.GetSeed() }), cts.Token);
    }

    [Fact]
    public async Task A_server_in_operator_mode_accepts_a_creds_file_of_its_account_and_refuses_a_foreign_or_mismatched_one()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        using var trust = new OperatorTrust();
        await using var server = await StartAsync(trust.ServerConfig(), cts.Token);

        using var user = KeyPair.CreatePair(PrefixByte.User);
        var good = await WriteCredsAsync(server, "good", NatsJwt.User(trust.Account, user.GetPublicKey(), "agent"), user.GetSeed(), cts.Token);
        await using (var store = await NatsRecordStore.OpenAsync(Options(server, o => o with { CredsFile = good }), null, cts.Token))
        {
            var revision = await store.CreateAsync("task.c", Encoding.UTF8.GetBytes("{}"), cts.Token);
            Assert.Equal(revision, (await store.GetAsync("task.c", cts.Token))?.Revision);
        }

        // Signed by an account the server's resolver does not know.
        using var foreignAccount = KeyPair.CreatePair(PrefixByte.Account);
        using var foreignUser = KeyPair.CreatePair(PrefixByte.User);
        var foreign = await WriteCredsAsync(server, "foreign", NatsJwt.User(foreignAccount, foreignUser.GetPublicKey(), "stranger"), foreignUser.GetSeed(), cts.Token);
        await AssertRefusedAsync(Options(server, o => o with { CredsFile = foreign }), cts.Token);

        // A valid JWT of the known account, but the seed belongs to someone else: the nonce signature does not match.
        using var thief = KeyPair.CreatePair(PrefixByte.User);
        var mismatched = await WriteCredsAsync(server, "mismatched", NatsJwt.User(trust.Account, user.GetPublicKey(), "agent"), thief.GetSeed(), cts.Token);
        await AssertRefusedAsync(Options(server, o => o with { CredsFile = mismatched }), cts.Token);
    }

    [Fact]
    public async Task Serve_with_a_config_whose_creds_file_is_refused_exits_3_with_one_line_naming_the_refusal()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var trust = new OperatorTrust();
        await using var server = await StartAsync(trust.ServerConfig(), cts.Token);
        using var foreignAccount = KeyPair.CreatePair(PrefixByte.Account);
        using var foreignUser = KeyPair.CreatePair(PrefixByte.User);
        var creds = await WriteCredsAsync(server, "foreign", NatsJwt.User(foreignAccount, foreignUser.GetPublicKey(), "stranger"), foreignUser.GetSeed(), cts.Token);
        // A connect timeout far beyond the test's own: only a refusal taken as final lets the node exit in time.
        var config = Path.Combine(server.Directory, "taskgraph.yaml");
        await File.WriteAllTextAsync(
            config,
            $"server:\n  graph: creds\n  nats:\n    url: {server.Url}\n    connect_timeout_seconds: 600\n    creds_file: {creds}\n",
            cts.Token);

        var (code, stdout, stderr, _) = await NodeProcess.RunUntilExitAsync(cts.Token, null, closeStdinAfter: null, "serve", "--config", config);

        Assert.True(code == 3, $"exit code {code}, expected 3; stderr:\n{stderr}");
        Assert.Empty(stdout);
        Assert.DoesNotContain("   at ", stderr);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"NATS at {server.Url} refused the node's credentials", line);
        Assert.Contains("Authorization Violation", line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(foreignUser.GetSeed(), stderr, StringComparison.Ordinal);
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

    private static async Task<string> WriteCredsAsync(NatsServerProcess server, string name, string userJwt, string userSeed, CancellationToken cancellationToken)
    {
        var path = Path.Combine(server.Directory, name + ".creds");
        await File.WriteAllTextAsync(path, NatsJwt.Creds(userJwt, userSeed), cancellationToken);
        return path;
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

    /// <summary>An operator, a system account and one JetStream-enabled account the server trusts through its memory resolver.</summary>
    private sealed class OperatorTrust : IDisposable
    {
        private readonly KeyPair _operator = KeyPair.CreatePair(PrefixByte.Operator);
        private readonly KeyPair _system = KeyPair.CreatePair(PrefixByte.Account);

        /// <summary>The account whose users may connect (it signs their JWTs).</summary>
        public KeyPair Account { get; } = KeyPair.CreatePair(PrefixByte.Account);

        /// <summary>The operator-mode part of the server config.</summary>
        public string ServerConfig() =>
            $$"""
            operator: {{NatsJwt.Operator(_operator, "tg-operator")}}
            system_account: {{_system.GetPublicKey()}}
            resolver: MEMORY
            resolver_preload: {
              {{_system.GetPublicKey()}}: {{NatsJwt.Account(_operator, _system, "SYS", jetStream: false)}}
              {{Account.GetPublicKey()}}: {{NatsJwt.Account(_operator, Account, "TG", jetStream: true)}}
            }
            """;

        public void Dispose()
        {
            Account.Dispose();
            _system.Dispose();
            _operator.Dispose();
        }
    }
}
