using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TaskGraph.Tests.Node.Http;

/// <summary>
/// A stand-in identity provider for the JWT tests: RSA and EC key pairs made in the test, their public JWKS (written to a
/// file or served at <c>http://127.0.0.1:PORT/jwks.json</c> by an <see cref="HttpListener"/> on a free loopback port), and
/// tokens signed with JsonWebTokenHandler. Keys added later appear in the served JWKS at once (key rotation).
/// </summary>
internal sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "taskgraph-tests";

    private readonly Dictionary<string, (SecurityKey Key, string Algorithm, string Jwk)> _keys = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private HttpListener? _listener;
    private Task _serving = Task.CompletedTask;

    /// <summary>The served JWKS URL (after <see cref="Serve"/>).</summary>
    public Uri JwksUrl { get; private set; } = null!;

    /// <summary>How many times the JWKS was fetched over HTTP.</summary>
    public int Fetches => Volatile.Read(ref _fetches);

    private int _fetches;

    /// <summary>Makes an RSA key pair (2048 bits, RS256 unless told) under <paramref name="kid"/>; <paramref name="publish"/> puts it in the JWKS.</summary>
    public SecurityKey AddRsaKey(string kid, bool publish = true, string algorithm = SecurityAlgorithms.RsaSha256)
    {
        var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa) { KeyId = kid };
        var p = rsa.ExportParameters(false);
        var jwk = JsonSerializer.Serialize(new { kty = "RSA", kid, use = "sig", alg = algorithm, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) });
        return Add(kid, key, algorithm, jwk, publish);
    }

    /// <summary>Makes an EC P-256 key pair (ES256) under <paramref name="kid"/>.</summary>
    public SecurityKey AddEcKey(string kid, bool publish = true)
    {
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = new ECDsaSecurityKey(ec) { KeyId = kid };
        var p = ec.ExportParameters(false);
        var jwk = JsonSerializer.Serialize(new { kty = "EC", kid, use = "sig", alg = "ES256", crv = "P-256", x = Base64UrlEncoder.Encode(p.Q.X), y = Base64UrlEncoder.Encode(p.Q.Y) });
        return Add(kid, key, SecurityAlgorithms.EcdsaSha256, jwk, publish);
    }

    /// <summary>The private key made under <paramref name="kid"/>.</summary>
    public SecurityKey SigningKey(string kid) => Signing(kid).Key;

    /// <summary>The public JWKS of the published keys.</summary>
    public string Jwks()
    {
        lock (_gate)
        {
            return "{\"keys\":[" + string.Join(",", _keys.Values.Where(k => k.Jwk.Length > 0).Select(k => k.Jwk)) + "]}";
        }
    }

    /// <summary>
    /// A signed JWT: issuer and audience of this provider unless overridden, valid for 10 minutes unless
    /// <paramref name="expires"/> says otherwise, with <c>sub</c> and the TaskGraph claims given.
    /// </summary>
    public string Token(
        string kid, string sub, string? role, string? worker = null, object? tags = null, string issuer = Issuer, string audience = Audience,
        DateTime? expires = null, SecurityKey? signWith = null)
    {
        var (key, algorithm) = Signing(kid);
        if (signWith is not null)
        {
            key = signWith;
        }

        var claims = new Dictionary<string, object> { ["sub"] = sub };
        if (role is not null)
        {
            claims["taskgraph_role"] = role;
        }

        if (worker is not null)
        {
            claims["taskgraph_worker"] = worker;
        }

        if (tags is not null)
        {
            claims["taskgraph_tags"] = tags;
        }

        var exp = expires ?? DateTime.UtcNow.AddMinutes(10);
        var issued = exp.AddMinutes(-20);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = issued,
            NotBefore = issued,
            Expires = exp,
            SigningCredentials = new SigningCredentials(key, algorithm) { CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false } },
        });
    }

    /// <summary>An unsigned token (<c>alg: none</c>) that claims admin.</summary>
    public static string UnsignedToken(string sub)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes("""{"alg":"none","typ":"JWT"}"""));
        var payload = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = sub,
            ["taskgraph_role"] = "admin",
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 600,
        }));
        return $"{header}.{payload}.";
    }

    /// <summary>Writes the JWKS to <paramref name="path"/>.</summary>
    public void WriteJwks(string path) => File.WriteAllText(path, Jwks());

    /// <summary>A loopback port that was free a moment ago (HttpListener cannot bind port 0).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>The JWKS URL this provider serves on <paramref name="port"/>.</summary>
    public static Uri JwksUrlAt(int port) => new($"http://127.0.0.1:{port}/jwks.json");

    /// <summary>Serves the JWKS at <see cref="JwksUrl"/> on <paramref name="port"/> (a free one when null) until disposed.</summary>
    public void Serve(int? port = null)
    {
        JwksUrl = JwksUrlAt(port ?? FreePort());
        _listener = new HttpListener();
        _listener.Prefixes.Add(JwksUrl.GetLeftPart(UriPartial.Authority) + "/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener is { } listener)
        {
            listener.Stop();
            listener.Close();
            await _serving.ConfigureAwait(false);
        }
    }

    private async Task ServeAsync()
    {
        while (_listener is { IsListening: true } listener)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Interlocked.Increment(ref _fetches);
            var body = Encoding.UTF8.GetBytes(Jwks());
            context.Response.StatusCode = context.Request.Url?.AbsolutePath == JwksUrl.AbsolutePath ? 200 : 404;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    private SecurityKey Add(string kid, SecurityKey key, string algorithm, string jwk, bool publish)
    {
        lock (_gate)
        {
            _keys[kid] = (key, algorithm, publish ? jwk : string.Empty);
        }

        return key;
    }

    private (SecurityKey Key, string Algorithm) Signing(string kid)
    {
        lock (_gate)
        {
            var (key, algorithm, _) = _keys[kid];
            return (key, algorithm);
        }
    }
}
