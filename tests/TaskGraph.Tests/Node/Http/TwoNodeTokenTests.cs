using TaskGraph.Tests.Nats;
using static TaskGraph.Tests.Node.Distributed.Distributed;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;
using static TaskGraph.Tests.Node.Http.Http;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// Two HTTP nodes on one nats-server and one graph: tokens live in the store, so a token created with node A's store
/// options works on node B at once, and a revoke holds on both within a second.
/// </summary>
[Collection(NatsServerCollection.Name)]
public sealed class TwoNodeTokenTests(NatsServerFixture nats)
{
    [Fact]
    public async Task A_token_created_for_node_a_works_on_node_b_and_its_revoke_holds_on_b_within_a_second()
    {
        var ct = Timeout(180);
        var graph = NewGraph("http");
        await using var a = await HttpNode.StartOnNatsAsync(nats.Server.Url, graph, ct);
        await using var b = await HttpNode.StartOnNatsAsync(nats.Server.Url, graph, ct);

        var secret = await a.CreateTokenAsync("shared-lead", "lead", ct);
        using var http = NewClient();
        await WithinPropagationLimitAsync(
            async () => await InitializeStatusAsync(http, b.Endpoint, secret, ct) == 200, "node B accepts the token created for node A", ct);

        // Work done through B with it lands in the graph A serves.
        await using (var onB = await b.ConnectAsync(secret, ct))
        {
            await onB.CallAsync("connect", new { worker_id = "lead-on-b" }, ct);
            await onB.CallAsync("create", new { id = "made-on-b", title = "Created through node B" }, ct);
        }

        var admin = await a.CreateTokenAsync("shared-admin", "admin", ct);
        await using (var onA = await a.ConnectAsync(admin, ct))
        {
            await UntilAsync(
                async () => (await onA.CallRawAsync("get", new { task = "made-on-b" }, ct)).IsError is false, "node A shows the task made on B", ct);
        }

        // token list on B's store options sees what A's created.
        var names = (await b.ListTokensAsync(ct)).EnumerateArray().Select(t => String(t, "name")).ToList();
        Assert.Contains("shared-lead", names);

        await a.RevokeTokenAsync("shared-lead", ct);
        await WithinPropagationLimitAsync(
            async () => await InitializeStatusAsync(http, b.Endpoint, secret, ct) == 401, "node B refuses the token revoked through A's store", ct);
        await WithinPropagationLimitAsync(
            async () => await InitializeStatusAsync(http, a.Endpoint, secret, ct) == 401, "node A refuses the revoked token", ct);

        // The admin token still works on both.
        Assert.Equal(200, await InitializeStatusAsync(http, a.Endpoint, admin, ct));
        Assert.Equal(200, await InitializeStatusAsync(http, b.Endpoint, admin, ct));
    }
}
