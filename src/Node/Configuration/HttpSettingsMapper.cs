using TaskGraph.Node.Auth;

namespace TaskGraph.Node.Configuration;

/// <summary>Maps <c>server.http</c> and <c>server.auth.roles</c>; problems name their keys.</summary>
public static class HttpSettingsMapper
{
    /// <summary>The HTTP settings.</summary>
    public static HttpSettings Map(Dictionary<string, object?> tree, ConfigReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var server = reader.Map(tree, "server", "server");
        var http = reader.Map(server, "http", "server.http");
        var tls = reader.Map(http, "tls", "server.http.tls");
        Uri? url = null;
        if (reader.Text(http, "url", "server.http.url") is { } text)
        {
            url = ParseUrl(text, out var problem);
            if (problem is not null)
            {
                reader.Problem("server.http.url", problem);
            }
        }

        return new HttpSettings
        {
            Url = url,
            TlsCertFile = reader.Text(tls, "cert", "server.http.tls.cert"),
            TlsKeyFile = reader.Text(tls, "key", "server.http.tls.key"),
            AllowedHosts = reader.StringList(http, "allowed_hosts", "server.http.allowed_hosts") ?? [],
            AllowedOrigins = reader.StringList(http, "allowed_origins", "server.http.allowed_origins") ?? [],
        };
    }

    /// <summary>The role table: the defaults, each role in <c>server.auth.roles</c> replacing or adding one.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> MapRoles(Dictionary<string, object?> tree, ConfigReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var roles = new Dictionary<string, IReadOnlyList<string>>(PermissionTable.DefaultRoles, StringComparer.Ordinal);
        var auth = reader.Map(reader.Map(tree, "server", "server"), "auth", "server.auth");
        var configured = reader.Map(auth, "roles", "server.auth.roles");
        foreach (var name in configured?.Keys.ToList() ?? [])
        {
            var path = $"server.auth.roles.{name}.permissions";
            var permissions = reader.StringList(reader.Map(configured, name, $"server.auth.roles.{name}"), "permissions", path) ?? [];
            foreach (var unknown in permissions.Where(p => !Permission.Known.Contains(p)))
            {
                reader.Problem(path, $"unknown permission '{unknown}' (known: {string.Join(", ", Permission.Known.Order(StringComparer.Ordinal))})");
            }

            roles[name] = permissions;
        }

        return roles;
    }

    /// <summary><c>server.notifications.coalesce_ms</c> (10..10000, default 100).</summary>
    public static TimeSpan MapNotificationWindow(Dictionary<string, object?> tree, ConfigReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var notifications = reader.Map(reader.Map(tree, "server", "server"), "notifications", "server.notifications");
        var ms = reader.WholeNumber(notifications, "coalesce_ms", "server.notifications.coalesce_ms") ?? 100;
        if (ms is < 10 or > 10_000)
        {
            reader.Problem("server.notifications.coalesce_ms", $"must be between 10 and 10000, got {ms}");
        }

        return TimeSpan.FromMilliseconds(Math.Clamp(ms, 10, 10_000));
    }

    /// <summary>An http(s) listen URL with a host that is an IP address or localhost; a problem text otherwise.</summary>
    public static Uri? ParseUrl(string text, out string? problem)
    {
        problem = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            problem = $"'{text}' is not an http:// or https:// URL";
            return null;
        }

        if (url.AbsolutePath is not ("/" or "") || url.Query.Length > 0)
        {
            problem = $"'{text}': give scheme, host and port only (MCP is served at /mcp)";
            return null;
        }

        if (url.Host != "localhost" && !System.Net.IPAddress.TryParse(url.Host.Trim('[', ']'), out _))
        {
            problem = $"'{text}': the host must be an IP address (127.0.0.1, 0.0.0.0, ::1) or localhost";
            return null;
        }

        return url;
    }
}
