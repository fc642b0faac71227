using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace TaskGraph.Tests.Node.Http;

/// <summary>Shared bits of the HTTP tests (timeouts come from EndToEnd): unique names, raw requests and the "within a second" probe.</summary>
internal static class Http
{
    /// <summary>How long a change (a revoke) may take to hold on a node; the contract says a second, probes give it two.</summary>
    public static readonly TimeSpan PropagationLimit = TimeSpan.FromSeconds(2);

    /// <summary>A name no other test on the same node uses.</summary>
    public static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A plain HTTP client (no redirects followed, so a status is what the node answered).</summary>
    public static HttpClient NewClient() => new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>
    /// A POST to <paramref name="endpoint"/> carrying an MCP <c>initialize</c> request of 2025-06-18 (any node answers it),
    /// with the raw <c>Authorization</c> header value <paramref name="authorization"/> (none when null).
    /// </summary>
    public static HttpRequestMessage InitializePost(Uri endpoint, string? authorization)
    {
        const string body = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw-http","version":"1"}}}""";
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (authorization is not null)
        {
            Assert.True(request.Headers.TryAddWithoutValidation("Authorization", authorization));
        }

        return request;
    }

    /// <summary>The status of an initialize POST with <c>Authorization: Bearer <paramref name="secret"/></c>.</summary>
    public static async Task<int> InitializeStatusAsync(HttpClient http, Uri endpoint, string secret, CancellationToken cancellationToken)
    {
        using var request = InitializePost(endpoint, "Bearer " + secret);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return (int)response.StatusCode;
    }

    /// <summary>
    /// Probes until <paramref name="holds"/> is true, for at most <see cref="PropagationLimit"/> after it was called;
    /// fails the test with <paramref name="what"/> beyond that. Returns how long it took.
    /// </summary>
    public static async Task<TimeSpan> WithinPropagationLimitAsync(Func<Task<bool>> holds, string what, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (await holds())
            {
                return Stopwatch.GetElapsedTime(started);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            Assert.True(elapsed <= PropagationLimit, $"{what}: still not true {elapsed.TotalMilliseconds:F0} ms later (limit {PropagationLimit.TotalSeconds} s)");
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }
}
