using System.Globalization;

namespace TaskGraph.Core.Ids;

/// <summary>Generates readable ids from words ("happy-turtle", "HappyTurtle") in the configured case.</summary>
/// <remarks>A seeded <see cref="Random"/> is not thread-safe: share a generator across threads only with the default (<see cref="Random.Shared"/>).</remarks>
public sealed class PetnameGenerator(Random? random = null)
{
    /// <summary>Most words in a generated id.</summary>
    public const int MaxWords = 8;

    /// <summary>Longest generated id (the id limit).</summary>
    public const int MaxLength = 64;

    private readonly Random _random = random ?? Random.Shared;

    /// <summary>A new id of <paramref name="words"/> words (adjectives, then a noun) in <paramref name="idCase"/>, at most <see cref="MaxLength"/> characters.</summary>
    public string Next(int words, string idCase)
    {
        words = Math.Clamp(words, 1, MaxWords);
        while (true)
        {
            var parts = new List<string>(words);
            for (var i = 0; i < words - 1; i++)
            {
                parts.Add(WordLists.Adjectives[_random.Next(WordLists.Adjectives.Count)]);
            }

            parts.Add(WordLists.Nouns[_random.Next(WordLists.Nouns.Count)]);
            var id = Format(parts, idCase);
            if (id.Length <= MaxLength)
            {
                return id;
            }
        }
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
        word.Length == 0 ? word : char.ToUpper(word[0], CultureInfo.InvariantCulture) + word[1..];
}
