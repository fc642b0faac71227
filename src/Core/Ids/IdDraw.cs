using TaskGraph.Core.Errors;
using TaskGraph.Core.Storage;

namespace TaskGraph.Core.Ids;

/// <summary>
/// Generated ids are taken by create-if-absent (store create, revision 0), never by a read then a write: two nodes that
/// draw the same id cannot both win. A collision draws another id; every <see cref="RoundsPerWord"/> collisions the id
/// gets one more word, so a crowded namespace grows longer ids instead of failing or falling back to timestamps.
/// </summary>
public static class IdDraw
{
    /// <summary>Collisions with the same number of words before one more word is added.</summary>
    public const int RoundsPerWord = 3;

    /// <summary>Draws before giving up with CONFLICT (with two-word ids, ~550,000 combinations, never reached in practice).</summary>
    public const int MaxAttempts = 24;

    /// <summary>The number of words for the <paramref name="attempt"/>-th draw (0-based) when config asks for <paramref name="configured"/>.</summary>
    public static int WordsFor(int configured, int attempt) =>
        Math.Clamp(Math.Max(1, configured) + (attempt / RoundsPerWord), 1, PetnameGenerator.MaxWords);

    /// <summary>
    /// Runs <paramref name="create"/> with freshly drawn ids until one does not collide. <paramref name="create"/> must raise
    /// <see cref="ConcurrencyConflictException"/> when the id is taken (the store's create does). <paramref name="first"/>,
    /// when given, is tried first (an id drawn earlier, e.g. while validating a tree).
    /// </summary>
    public static async Task<T> CreateAsync<T>(
        PetnameGenerator names, int words, string idCase, Func<string, Task<T>> create, string? first = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(create);
        var id = first ?? names.Next(WordsFor(words, 0), idCase);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await create(id).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts - 1)
            {
                id = names.Next(WordsFor(words, attempt + 1), idCase);
            }
            catch (ConcurrencyConflictException)
            {
                throw new TaskGraphException(ErrorCodes.Conflict, $"No free generated id after {MaxAttempts} draws; try again or give an id.")
                {
                    Field = "id",
                    Suggestion = "Retry, raise ids.task_id_words / ids.agent_id_words in config, or pass an explicit id.",
                };
            }
        }
    }
}
