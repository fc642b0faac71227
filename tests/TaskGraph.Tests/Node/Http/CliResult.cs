namespace TaskGraph.Tests.Node.Http;

/// <summary>How one run of the <c>taskgraph</c> CLI ended: its exit code and everything it printed.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr);
