using System.Diagnostics;

namespace TaskGraph.Bench;

/// <summary>How the bench starts the built <c>taskgraph</c> as a child process: in a directory of its own, with a private user tier.</summary>
internal static class NodeCli
{
    /// <summary>A start for <c>dotnet taskgraph.dll ARGS</c> in <paramref name="dir"/>, output redirected (and stdin with <paramref name="stdin"/>).</summary>
    public static ProcessStartInfo StartInfo(string dir, IEnumerable<string> args, bool stdin)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dir,
            RedirectStandardInput = stdin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args.Prepend(NodeRssScenario.NodeDll()))
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["TASK_GRAPH_USER_DIR"] = Path.Combine(dir, ".user");
        return psi;
    }
}
