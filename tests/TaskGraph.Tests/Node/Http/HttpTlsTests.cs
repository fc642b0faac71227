using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskGraph.Tests.Node.Hosting;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;
using static TaskGraph.Tests.Node.Http.Http;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// <c>serve --http https://...</c> with <c>server.http.tls.cert</c>/<c>key</c>: a certificate generated here, trusted by
/// thumbprint only, carries health checks, the 401 challenge and MCP calls; an https URL without the files is refused.
/// </summary>
public sealed class HttpTlsTests
{
    [Fact]
    public async Task A_node_with_a_generated_certificate_serves_mcp_over_tls_and_still_asks_for_a_token()
    {
        var ct = Timeout(120);
        var dir = TestPaths.TempDir("tls");
        try
        {
            using var certificate = WriteCertificate(dir, out var certFile, out var keyFile);
            var config = Path.Combine(dir, "tls.yaml");
            await File.WriteAllTextAsync(config, $"server:\n  http:\n    tls:\n      cert: {certFile}\n      key: {keyFile}\n", ct);
            await using var node = await HttpNode.StartListeningAsync("https://127.0.0.1:0", ct, "--config", config);
            Assert.Equal("https", node.Endpoint.Scheme);

            using var handler = new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == certificate.Thumbprint },
            };
            using var https = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
            using (var health = await https.GetAsync(new Uri(node.BaseUrl + "/healthz"), ct))
            {
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            }

            using (var request = InitializePost(node.Endpoint, authorization: null))
            using (var refused = await https.SendAsync(request, ct))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }

            var secret = await node.CreateTokenAsync("tls-admin", "admin", ct);
            var transport = new HttpClientTransport(
                new HttpClientTransportOptions
                {
                    Endpoint = node.Endpoint,
                    TransportMode = HttpTransportMode.StreamableHttp,
                    AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + secret },
                },
                https);
            await using var client = await McpClient.CreateAsync(transport, cancellationToken: ct);
            var created = await client.CallToolAsync("create", new Dictionary<string, object?> { ["id"] = "over-tls", ["title"] = "Sent encrypted" }, cancellationToken: ct);
            Assert.NotEqual(true, created.IsError);
            var text = Assert.IsType<TextContentBlock>(created.Content.Single()).Text;
            Assert.Equal("over-tls", JsonDocument.Parse(text).RootElement.GetProperty("id").GetString());

            // A client that does not trust the certificate cannot talk to it at all.
            using var untrusting = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync(new Uri(node.BaseUrl + "/healthz"), ct));

        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task An_https_url_without_certificate_files_exits_2_naming_the_settings()
    {
        var (code, _, stderr) = await NodeProcess.RunAsync(Timeout(90), null, "serve", "--http", "https://127.0.0.1:0");
        Assert.True(code == 2, $"expected exit 2, got {code}; stderr:\n{stderr}");
        Assert.Contains("server.http.tls.cert", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    /// <summary>A self-signed certificate for 127.0.0.1, written as PEM certificate and PEM private key.</summary>
    private static X509Certificate2 WriteCertificate(string dir, out string certFile, out string keyFile)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        certFile = Path.Combine(dir, "node.crt");
        keyFile = Path.Combine(dir, "node.key");
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return certificate;
    }
}
