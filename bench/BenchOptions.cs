namespace TaskGraph.Bench;

/// <summary>Command line: <c>[scenario...] [--json] [--iterations N] [--keep-db PATH]</c>.</summary>
internal sealed record BenchOptions
{
    /// <summary>Scenario names to run; empty runs every SQLite scenario (and NATS ones when available).</summary>
    public IReadOnlyList<string> Scenarios { get; init; } = [];

    /// <summary>One JSON object per result line on stdout; notes go to stderr.</summary>
    public bool Json { get; init; }

    /// <summary>Measured operations per scenario (per side); null means each scenario's default.</summary>
    public int? Iterations { get; init; }

    /// <summary>
    /// <c>portability</c> only: the filled SQLite graph is kept at this path (its media beside it) and reused by later runs
    /// when it is already there, so that iterating on export, import or migrate does not pay for the fill each time.
    /// </summary>
    public string? KeepDb { get; init; }

    /// <summary>Parses the arguments; returns null and writes a message when they are wrong.</summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args, TextWriter error)
    {
        var scenarios = new List<string>();
        var json = false;
        int? iterations = null;
        string? keepDb = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--iterations" when i + 1 < args.Count && int.TryParse(args[i + 1], out var n) && n > 0:
                    iterations = n;
                    i++;
                    break;
                case "--iterations":
                    error.WriteLine("--iterations needs a positive number");
                    return null;
                case "--keep-db" when i + 1 < args.Count && !args[i + 1].StartsWith('-'):
                    keepDb = Path.GetFullPath(args[++i]);
                    break;
                case "--keep-db":
                    error.WriteLine("--keep-db needs a path");
                    return null;
                case "-h" or "--help":
                    return null;
                default:
                    if (args[i].StartsWith('-'))
                    {
                        error.WriteLine($"unknown option {args[i]}");
                        return null;
                    }

                    scenarios.Add(args[i]);
                    break;
            }
        }

        return new BenchOptions { Scenarios = scenarios, Json = json, Iterations = iterations, KeepDb = keepDb };
    }

    /// <summary>The operation count a scenario measures: the option when given, else its default.</summary>
    public int IterationsOr(int fallback) => Iterations ?? fallback;
}
