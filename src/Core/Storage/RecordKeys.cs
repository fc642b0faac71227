using System.Text;

namespace TaskGraph.Core.Storage;

/// <summary>
/// Record keys. Ids and paths are encoded into the KV key charset <c>[-/_=.a-zA-Z0-9]</c> so that
/// any task id or file path is a single key token and never collides with the separators.
/// </summary>
public static class RecordKeys
{
    /// <summary>Prefix of task records.</summary>
    public const string TaskPrefix = "task.";

    /// <summary>Prefix of worker records.</summary>
    public const string WorkerPrefix = "worker.";

    /// <summary>Prefix of worker liveness records (the volatile key space, <see cref="ILivenessStore"/>).</summary>
    public const string LivePrefix = "live.";

    /// <summary>Prefix of file mark records.</summary>
    public const string MarkPrefix = "mark.";

    /// <summary>Prefix of attachment records.</summary>
    public const string AttachmentPrefix = "attach.";

    /// <summary>The single record that holds the dependency graph (see docs/adr/0002).</summary>
    public const string Dependencies = "graph.deps";

    /// <summary>Prefix of bearer tokens (keyed by the SHA-256 of the secret; the node's auth reads them).</summary>
    public const string TokenPrefix = "token.";

    /// <summary>Key of a task record.</summary>
    public static string Task(string id) => TaskPrefix + Encode(id);

    /// <summary>Key of a worker record.</summary>
    public static string Worker(string id) => WorkerPrefix + Encode(id);

    /// <summary>The liveness key of a worker.</summary>
    public static string Live(string id) => LivePrefix + Encode(id);

    /// <summary>Key of a file mark record.</summary>
    public static string Mark(string path) => MarkPrefix + Encode(path);

    /// <summary>The key of an attachment's content record, by its content id (not by task, so a rename moves nothing).</summary>
    public static string Attachment(string contentId) => AttachmentPrefix + Encode(contentId);

    /// <summary>
    /// Encodes any string into one key token: letters, digits, '-' and '_' stay; every other UTF-8 byte becomes '=XX'.
    /// </summary>
    public static string Encode(string value)
    {
        var sb = new StringBuilder(value.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('=').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.Length == 0 ? "=" : sb.ToString();
    }

    /// <summary>Reverses <see cref="Encode"/>.</summary>
    public static string Decode(string token)
    {
        if (token == "=")
        {
            return string.Empty;
        }

        var bytes = new List<byte>(token.Length);
        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] == '=' && i + 2 < token.Length)
            {
                bytes.Add(Convert.ToByte(token.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add((byte)token[i]);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
