using Microsoft.IdentityModel.Tokens;
using TaskGraph.Node.Auth;
using TaskGraph.Tests.Node.Http;

namespace TaskGraph.Tests.Node.Auth;

/// <summary>What a JWKS may hold: public RSA and EC signing keys; HMAC keys are dropped and private keys refused.</summary>
[Trait("Lane", "fast")]
public sealed class JwksDocumentTests
{
    [Fact]
    public void Public_rsa_and_ec_signing_keys_are_read_with_their_kids_and_oct_and_encryption_keys_are_dropped()
    {
        var provider = new TestIdentityProvider();
        provider.AddRsaKey("r");
        provider.AddEcKey("e");
        var json = provider.Jwks().Replace("]}", ",{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"c2VjcmV0\"},"
            + "{\"kty\":\"RSA\",\"kid\":\"enc\",\"use\":\"enc\",\"n\":\"sXch\",\"e\":\"AQAB\"}]}", StringComparison.Ordinal);

        var keys = JwksDocument.Parse(json, out var problem);

        Assert.Null(problem);
        Assert.Equal(["e", "r"], keys.Select(k => k.KeyId).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(keys, k => k is SymmetricSecurityKey);
    }

    [Theory]
    [InlineData("not json at all", "not a JSON Web Key Set")]
    [InlineData("[]", "not a JSON Web Key Set")]
    [InlineData("{\"keys\": 5}", "not a JSON Web Key Set")]
    [InlineData("{\"keys\": []}", "no public RSA or EC signing key")]
    [InlineData("{\"keys\": [{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}", "no public RSA or EC signing key")]
    [InlineData("{\"keys\": [{\"kty\":\"RSA\",\"kid\":\"p\",\"n\":\"sXch\",\"e\":\"AQAB\",\"d\":\"AQAB\"}]}", "private key")]
    public void A_document_without_a_usable_public_key_is_refused_saying_why(string json, string because)
    {
        var keys = JwksDocument.Parse(json, out var problem);

        Assert.Empty(keys);
        Assert.NotNull(problem);
        Assert.Contains(because, problem, StringComparison.Ordinal);
    }
}
