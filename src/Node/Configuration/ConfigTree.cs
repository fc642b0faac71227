using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TaskGraph.Node.Configuration;

/// <summary>
/// YAML as a plain tree: maps are <see cref="Dictionary{TKey,TValue}"/> of string to node (insertion order kept),
/// sequences are <see cref="List{T}"/>, leaves are <see cref="ConfigScalar"/>. Tiers are combined with <see cref="Merge"/>.
/// </summary>
public static class ConfigTree
{
    /// <summary>
    /// Parses a YAML document whose root must be a map (an empty document is an empty map). When given,
    /// <paramref name="keyOrigins"/> receives every key's dotted path with where it stands (<c>file:line</c>).
    /// </summary>
    public static Dictionary<string, object?> Parse(string yaml, string origin, Dictionary<string, string>? keyOrigins = null)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new ConfigException($"{origin}:{ex.Start.Line}: invalid YAML: {FirstLine(ex.InnerException?.Message ?? ex.Message)}");
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            // YamlDotNet reports some malformed documents (duplicate keys, an unclosed '[' before more lines) with plain
            // .NET exceptions that carry no position: find the place by reading the events again.
            throw new ConfigException($"{origin}:{WhereParsingStops(yaml)}: invalid YAML: {(ex is ArgumentException ? FirstLine(ex.Message) : "unexpected structure here (an unclosed '[' or '{'?)")}");
        }

        if (stream.Documents.Count == 0)
        {
            return [];
        }

        var root = Convert(stream.Documents[0].RootNode, origin, string.Empty, keyOrigins);
        return root switch
        {
            Dictionary<string, object?> map => map,
            ConfigScalar { IsNull: true } => [],
            _ => throw new ConfigException($"{origin}: expected a map of keys at the top level"),
        };
    }

    /// <summary>Deep merge: maps merge key by key, sequences and scalars replace, a null in <paramref name="upper"/> keeps the lower value.</summary>
    public static Dictionary<string, object?> Merge(Dictionary<string, object?> lower, Dictionary<string, object?> upper)
    {
        var merged = new Dictionary<string, object?>(lower, StringComparer.Ordinal);
        foreach (var (key, value) in upper)
        {
            if (value is null or ConfigScalar { IsNull: true })
            {
                merged.TryAdd(key, value);
                continue;
            }

            merged[key] = value is Dictionary<string, object?> upperMap && merged.GetValueOrDefault(key) is Dictionary<string, object?> lowerMap
                ? Merge(lowerMap, upperMap)
                : value;
        }

        return merged;
    }

    /// <summary>Sets a scalar at a dotted path (e.g. <c>server.nats.url</c>), creating maps on the way.</summary>
    public static void Set(Dictionary<string, object?> root, string path, string value, string origin)
    {
        var parts = path.Split('.');
        var map = root;
        foreach (var part in parts[..^1])
        {
            if (map.GetValueOrDefault(part) is not Dictionary<string, object?> child)
            {
                child = [];
                map[part] = child;
            }

            map = child;
        }

        map[parts[^1]] = new ConfigScalar(value, origin);
    }

    private static object? Convert(YamlNode node, string origin, string path, Dictionary<string, string>? keyOrigins) => node switch
    {
        YamlMappingNode mapping => ConvertMap(mapping, origin, path, keyOrigins),
        YamlSequenceNode sequence => sequence.Children.Select(c => Convert(c, origin, path, null)).ToList(),
        YamlScalarNode scalar => new ConfigScalar(
            scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL" ? null : scalar.Value,
            $"{origin}:{scalar.Start.Line.ToString(CultureInfo.InvariantCulture)}"),
        _ => null,
    };

    private static Dictionary<string, object?> ConvertMap(YamlMappingNode mapping, string origin, string path, Dictionary<string, string>? keyOrigins)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Children)
        {
            var name = key is YamlScalarNode { Value: { } k } ? k : key.ToString();
            var keyPath = path.Length == 0 ? name : $"{path}.{name}";
            keyOrigins?.TryAdd(keyPath, $"{origin}:{key.Start.Line.ToString(CultureInfo.InvariantCulture)}");
            map[name] = Convert(value, origin, keyPath, keyOrigins);
        }

        return map;
    }

    private static long WhereParsingStops(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        long line = 1;
        try
        {
            while (parser.MoveNext())
            {
                line = parser.Current?.End.Line ?? line;
            }
        }
        catch (YamlException ex)
        {
            return ex.Start.Line;
        }
        catch (InvalidOperationException)
        {
            // Stopped after the last event it could read.
        }

        return line;
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
