namespace TaskGraph.Bus.Connection;

/// <summary>NATS server URLs as they may be shown: credentials in a URL (<c>nats://user:pass@host</c>) become <c>***</c>.</summary>
public static class NatsUrls
{
    /// <summary>The comma-separated URLs with any user info redacted.</summary>
    public static string Redact(string urls) => string.Join(',', urls.Split(',').Select(u => RedactOne(u.Trim())));

    private static string RedactOne(string url)
    {
        if (url.Length == 0)
        {
            return url;
        }

        // By hand rather than through Uri: Uri.UserInfo is re-escaped and might not match the text it came from.
        var start = url.IndexOf("://", StringComparison.Ordinal);
        start = start < 0 ? 0 : start + 3;
        var end = url.IndexOfAny(['/', '?', '#'], start);
        var at = url.LastIndexOf('@', end < 0 ? url.Length - 1 : end - 1);
        return at < start ? url : string.Concat(url.AsSpan(0, start), "***", url.AsSpan(at));
    }
}
