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
    /// <summary>Parses a YAML document whose root must be a map (an empty document is an empty map).</summary>
    public static Dictionary<string, object?> Parse(string yaml, string origin)
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

        if (stream.Documents.Count == 0)
        {
            return [];
        }

        var root = Convert(stream.Documents[0].RootNode, origin);
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

    private static object? Convert(YamlNode node, string origin) => node switch
    {
        YamlMappingNode mapping => ConvertMap(mapping, origin),
        YamlSequenceNode sequence => sequence.Children.Select(c => Convert(c, origin)).ToList(),
        YamlScalarNode scalar => new ConfigScalar(
            scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL" ? null : scalar.Value,
            $"{origin}:{scalar.Start.Line.ToString(CultureInfo.InvariantCulture)}"),
        _ => null,
    };

    private static Dictionary<string, object?> ConvertMap(YamlMappingNode mapping, string origin)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Children)
        {
            var name = key is YamlScalarNode { Value: { } k } ? k : key.ToString();
            map[name] = Convert(value, origin);
        }

        return map;
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
