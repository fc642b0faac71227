using Microsoft.IdentityModel.Tokens;

namespace TaskGraph.Node.Auth;

/// <summary>
/// Reads a JSON Web Key Set (RFC 7517) into the signing keys a JWT may be checked with: public RSA and EC keys whose
/// <c>use</c> is absent or <c>sig</c>. Symmetric (<c>oct</c>) keys are dropped: a key set is public, so an HMAC key in it
/// would let anyone who reads it sign tokens.
/// </summary>
public static class JwksDocument
{
    /// <summary>The largest key set accepted (a JWKS of a few keys is a few KiB).</summary>
    public const int MaxLength = 1024 * 1024;

    /// <summary>The signing keys of <paramref name="json"/>; <paramref name="problem"/> says why there are none.</summary>
    public static IReadOnlyList<SecurityKey> Parse(string json, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(json);
        problem = null;
        if (json.Length > MaxLength)
        {
            problem = $"the key set is larger than {MaxLength / 1024} KiB";
            return [];
        }

        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(json);
        }
        catch (ArgumentException)
        {
            problem = "not a JSON Web Key Set (expected {\"keys\": [...]})";
            return [];
        }

        var keys = new List<SecurityKey>();
        foreach (var jwk in set.Keys)
        {
            if (jwk.Kty is not (JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve)
                || (jwk.Use is { Length: > 0 } use && use != JsonWebKeyUseNames.Sig))
            {
                continue;
            }

            // "d" is the private exponent (RSA) or scalar (EC): any of it in a public document is a leak, partial or not.
            if (jwk.HasPrivateKey || !string.IsNullOrEmpty(jwk.D) || !string.IsNullOrEmpty(jwk.P))
            {
                problem = $"the key set holds a private key{(string.IsNullOrEmpty(jwk.Kid) ? string.Empty : $" (kid '{jwk.Kid}')")}; publish public keys only";
                return [];
            }

            if (JsonWebKeyConverter.TryConvertToSecurityKey(jwk, out var key))
            {
                if (string.IsNullOrEmpty(key.KeyId))
                {
                    key.KeyId = jwk.Kid;
                }

                keys.Add(key);
            }
        }

        if (keys.Count == 0)
        {
            problem = "the key set holds no public RSA or EC signing key";
        }

        return keys;
    }
}
