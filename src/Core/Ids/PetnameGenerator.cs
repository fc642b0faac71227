using System.Globalization;
using System.Text;

namespace TaskGraph.Core.Ids;

/// <summary>Generates readable ids from words ("happy-turtle", "HappyTurtle") in the configured case.</summary>
public sealed class PetnameGenerator(Random? random = null)
{
    private static readonly string[] Adjectives =
    [
        "able", "agile", "amber", "ample", "azure", "bold", "brave", "bright", "brisk", "calm", "candid", "cheery",
        "clever", "cosmic", "crisp", "curious", "daring", "deft", "eager", "early", "easy", "epic", "fair", "fancy",
        "fast", "fierce", "fine", "fluent", "fond", "frank", "fresh", "gentle", "giant", "glad", "golden", "grand",
        "happy", "hardy", "hearty", "honest", "humble", "jolly", "keen", "kind", "lively", "loyal", "lucid", "lucky",
        "merry", "mighty", "modest", "neat", "nimble", "noble", "patient", "plucky", "polite", "proud", "quick",
        "quiet", "rapid", "ready", "regal", "robust", "rosy", "rustic", "savvy", "serene", "sharp", "shiny", "silent",
        "simple", "sleek", "smart", "snappy", "solid", "sound", "spry", "steady", "stellar", "sturdy", "sunny",
        "swift", "tidy", "tough", "tranquil", "true", "upbeat", "valiant", "vivid", "warm", "wise", "witty", "zesty",
    ];

    private static readonly string[] Nouns =
    [
        "badger", "beaver", "bison", "bobcat", "condor", "coyote", "crane", "dingo", "dolphin", "eagle", "egret",
        "falcon", "ferret", "finch", "fox", "gazelle", "gecko", "gibbon", "heron", "hornet", "ibex", "ibis", "jackal",
        "jaguar", "kestrel", "koala", "lemur", "leopard", "lion", "llama", "lynx", "magpie", "marmot", "marten",
        "meerkat", "mink", "moose", "narwhal", "newt", "ocelot", "octopus", "orca", "osprey", "otter", "owl", "panda",
        "panther", "parrot", "pelican", "penguin", "puffin", "puma", "quail", "rabbit", "raven", "robin", "salmon",
        "seal", "shark", "sparrow", "squid", "stoat", "stork", "swan", "tapir", "tiger", "toucan", "trout", "turtle",
        "viper", "walrus", "weasel", "whale", "wolf", "wombat", "wren", "yak", "zebra",
    ];

    private readonly Random _random = random ?? Random.Shared;

    /// <summary>A new id of <paramref name="words"/> words (adjectives, then a noun) in <paramref name="idCase"/>.</summary>
    public string Next(int words, string idCase)
    {
        words = Math.Clamp(words, 1, 8);
        var parts = new List<string>(words);
        for (var i = 0; i < words - 1; i++)
        {
            parts.Add(Adjectives[_random.Next(Adjectives.Length)]);
        }

        parts.Add(Nouns[_random.Next(Nouns.Length)]);
        return Format(parts, idCase);
    }

    /// <summary>Joins words in a case: kebab-case, snake-case, camel-case, pascal-case, lowercase, uppercase, title-case.</summary>
    public static string Format(IReadOnlyList<string> parts, string idCase) => idCase.Replace('_', '-').ToLowerInvariant() switch
    {
        "snake-case" or "snake" => string.Join('_', parts),
        "camel-case" or "camel" => parts[0] + string.Concat(parts.Skip(1).Select(Capitalise)),
        "pascal-case" or "pascal" => string.Concat(parts.Select(Capitalise)),
        "lowercase" or "lower" => string.Concat(parts),
        "uppercase" or "upper" => string.Concat(parts).ToUpperInvariant(),
        "title-case" or "title" => string.Join('-', parts.Select(Capitalise)),
        _ => string.Join('-', parts),
    };

    private static string Capitalise(string word) =>
        word.Length == 0 ? word : new StringBuilder(word).Replace(word[0], char.ToUpper(word[0], CultureInfo.InvariantCulture), 0, 1).ToString();
}
