using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;
using static TaskGraph.Tests.Node.Http.Http;

namespace TaskGraph.Tests.Node.Http;

/// <summary>What <c>serve --http</c> refuses at start.</summary>
public sealed class HttpStartupTests
{
    [Fact]
    public async Task Auth_off_on_a_non_loopback_address_exits_2_naming_the_option()
    {
        var (code, _, stderr) = await NodeProcess.RunAsync(Timeout(90), null, "serve", "--http", "http://0.0.0.0:0", "--auth", "off");
        Assert.True(code == 2, $"expected exit 2, got {code}; stderr:\n{stderr}");
        Assert.Contains("--auth off", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auth_off_on_loopback_serves_without_a_token()
    {
        var ct = Timeout(90);
        await using var node = await HttpNode.StartAsync(ct, "--auth", "off");
        using var http = NewClient();
        using var request = InitializePost(node.Endpoint, authorization: null);
        using var response = await http.SendAsync(request, ct);
        Assert.True((int)response.StatusCode == 200, $"expected 200 with --auth off, got {(int)response.StatusCode}");
    }
}
