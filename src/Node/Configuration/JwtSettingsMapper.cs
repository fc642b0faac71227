using TaskGraph.Node.Auth;

namespace TaskGraph.Node.Configuration;

/// <summary>Maps <c>server.auth.jwt</c> (absent or null: no JWTs); problems name their keys.</summary>
public static class JwtSettingsMapper
{
    private const string Section = "server.auth.jwt";

    /// <summary>The JWT settings, or null when <c>server.auth.jwt</c> is not set. Reads and checks a <c>jwks_file</c>.</summary>
    public static JwtSettings? Map(Dictionary<string, object?> tree, ConfigReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var auth = reader.Map(reader.Map(tree, "server", "server"), "auth", "server.auth");
        if (reader.Map(auth, "jwt", Section) is not { } jwt)
        {
            return null;
        }

        var issuer = Required(jwt, "issuer", reader);
        var audience = Required(jwt, "audience", reader);
        var file = reader.Text(jwt, "jwks_file", $"{Section}.jwks_file");
        var urlText = reader.Text(jwt, "jwks_url", $"{Section}.jwks_url");
        Uri? url = null;
        IReadOnlyList<Microsoft.IdentityModel.Tokens.SecurityKey> keys = [];
        if (string.IsNullOrWhiteSpace(file) == string.IsNullOrWhiteSpace(urlText))
        {
            reader.Problem($"{Section}.jwks_file", string.IsNullOrWhiteSpace(file)
                ? $"set exactly one of {Section}.jwks_file and {Section}.jwks_url (neither is set)"
                : $"set exactly one of {Section}.jwks_file and {Section}.jwks_url, not both");
        }
        else if (!string.IsNullOrWhiteSpace(file))
        {
            keys = ReadFile(file, reader);
        }
        else if (!Uri.TryCreate(urlText, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            reader.Problem($"{Section}.jwks_url", $"'{urlText}' is not an http:// or https:// URL");
            url = null;
        }

        var skew = reader.WholeNumber(jwt, "clock_skew_seconds", $"{Section}.clock_skew_seconds") ?? 30;
        if (skew is < 0 or > 600)
        {
            reader.Problem($"{Section}.clock_skew_seconds", $"must be between 0 and 600, got {skew}");
        }

        return new JwtSettings
        {
            Issuer = issuer,
            Audience = audience,
            JwksFile = string.IsNullOrWhiteSpace(file) ? null : file,
            JwksUrl = url,
            FileKeys = keys,
            RoleClaim = Claim(jwt, "role_claim", JwtSettings.DefaultRoleClaim, reader),
            WorkerClaim = Claim(jwt, "worker_claim", JwtSettings.DefaultWorkerClaim, reader),
            TagsClaim = Claim(jwt, "tags_claim", JwtSettings.DefaultTagsClaim, reader),
            NameClaim = Claim(jwt, "name_claim", JwtSettings.DefaultNameClaim, reader),
            ClockSkew = TimeSpan.FromSeconds(Math.Clamp(skew, 0, 600)),
        };
    }

    private static string Required(Dictionary<string, object?> jwt, string key, ConfigReader reader)
    {
        var value = reader.Text(jwt, key, $"{Section}.{key}");
        if (string.IsNullOrWhiteSpace(value))
        {
            reader.Problem($"{Section}.{key}", "is required when server.auth.jwt is set");
            return string.Empty;
        }

        return value;
    }

    private static string Claim(Dictionary<string, object?> jwt, string key, string fallback, ConfigReader reader)
    {
        var value = reader.Text(jwt, key, $"{Section}.{key}");
        if (value is not null && value.Trim().Length == 0)
        {
            reader.Problem($"{Section}.{key}", "must name a claim");
        }

        return string.IsNullOrWhiteSpace(value) ? fallback : value.Trim();
    }

    private static IReadOnlyList<Microsoft.IdentityModel.Tokens.SecurityKey> ReadFile(string file, ConfigReader reader)
    {
        string json;
        try
        {
            json = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            reader.Problem($"{Section}.jwks_file", $"cannot read '{file}': {(ex is UnauthorizedAccessException ? "access denied" : ex.Message)}");
            return [];
        }

        var keys = JwksDocument.Parse(json, out var problem);
        if (problem is not null)
        {
            reader.Problem($"{Section}.jwks_file", $"'{file}': {problem}");
        }

        return keys;
    }
}
