using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using NATS.NKeys;

namespace TaskGraph.Tests.Nats;

/// <summary>
/// Just enough of the NATS JWT v2 format to run a nats-server in operator mode without <c>nsc</c>: operator, account
/// and user claims signed with ed25519 nkeys, and the <c>.creds</c> file a user connects with.
/// </summary>
internal static class NatsJwt
{
    private const int NoLimit = -1;

    /// <summary>A self-signed operator JWT.</summary>
    public static string Operator(KeyPair @operator, string name) =>
        Encode(@operator, @operator.GetPublicKey(), name, new JsonObject { ["type"] = "operator", ["version"] = 2 });

    /// <summary>An account JWT signed by the operator; with <paramref name="jetStream"/> its limits let it use JetStream without bounds.</summary>
    public static string Account(KeyPair @operator, KeyPair account, string name, bool jetStream)
    {
        var limits = new JsonObject
        {
            ["subs"] = NoLimit,
            ["data"] = NoLimit,
            ["payload"] = NoLimit,
            ["imports"] = NoLimit,
            ["exports"] = NoLimit,
            ["wildcards"] = true,
            ["conn"] = NoLimit,
            ["leaf"] = NoLimit,
        };
        if (jetStream)
        {
            // The server enables JetStream for an account whose memory or disk storage limit is not 0.
            limits["mem_storage"] = NoLimit;
            limits["disk_storage"] = NoLimit;
            limits["streams"] = NoLimit;
            limits["consumer"] = NoLimit;
        }

        return Encode(@operator, account.GetPublicKey(), name, new JsonObject
        {
            ["limits"] = limits,
            ["default_permissions"] = new JsonObject { ["pub"] = new JsonObject(), ["sub"] = new JsonObject() },
            ["type"] = "account",
            ["version"] = 2,
        });
    }

    /// <summary>A user JWT for <paramref name="userPublicKey"/> signed by the account, with no limits and the account's default permissions.</summary>
    public static string User(KeyPair account, string userPublicKey, string name) =>
        Encode(account, userPublicKey, name, new JsonObject
        {
            ["pub"] = new JsonObject(),
            ["sub"] = new JsonObject(),
            ["subs"] = NoLimit,
            ["data"] = NoLimit,
            ["payload"] = NoLimit,
            ["type"] = "user",
            ["version"] = 2,
        });

    /// <summary>The decorated <c>.creds</c> layout: the user JWT, then the seed that signs the server's nonce.</summary>
    public static string Creds(string userJwt, string userSeed) =>
        "-----BEGIN NATS USER JWT-----\n" + userJwt + "\n------END NATS USER JWT------\n\n"
        + "************************* IMPORTANT *************************\n"
        + "NKEY Seed printed below can be used to sign and prove identity.\n"
        + "NKEYs are sensitive and should be treated as secrets.\n\n"
        + "-----BEGIN USER NKEY SEED-----\n" + userSeed + "\n------END USER NKEY SEED------\n\n"
        + "*************************************************************\n";

    // header.claims, each base64url without padding, then the issuer's ed25519 signature over exactly those bytes.
    private static string Encode(KeyPair issuer, string subject, string name, JsonObject nats)
    {
        var claims = new JsonObject
        {
            // nats-server does not check the jti; a unique id is all it needs to be.
            ["jti"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            ["iat"] = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds(),
            ["iss"] = issuer.GetPublicKey(),
            ["name"] = name,
            ["sub"] = subject,
            ["nats"] = nats,
        };
        var signed = Base64Url.EncodeToString("{\"typ\":\"JWT\",\"alg\":\"ed25519-nkey\"}"u8) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = new byte[64];
        issuer.Sign(Encoding.ASCII.GetBytes(signed), signature);
        return signed + "." + Base64Url.EncodeToString(signature);
    }
}
