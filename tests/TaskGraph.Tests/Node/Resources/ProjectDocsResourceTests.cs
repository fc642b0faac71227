using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using TaskGraph.Core.Configuration;
using TaskGraph.Node.Configuration;
using TaskGraph.Tests.Node.Mcp;

namespace TaskGraph.Tests.Node.Resources;

/// <summary>
/// The project's <c>docs/**/*.md</c> as resources: listed in <c>docs://index</c>, read by <c>docs://{path}</c> (and only
/// there: bad characters, <c>..</c>, other extensions, over 256 characters and links out of the directory are not
/// found), searched by <c>docs://search/{q}</c> (every term, case-insensitive, path hits first, then by count, 5 lines
/// per file with context, 20 files at most).
/// </summary>
[Trait("Lane", "fast")]
public sealed class ProjectDocsResourceTests : IDisposable
{
    private readonly string _project = TestPaths.TempDir("docs-project");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ProjectDocsResourceTests()
    {
        Write("guide/claims.md", "# Claims\n\nA claim is atomic.\nOne winner.\n\nLeases expire.\n");
        Write("leases.markdown", "# Leases\n\nA lease lapses without a heartbeat.\nThe claim is released.\nlease lease lease\n");
        Write("notes.txt", "claim lease: not markdown, never served");
        Write("big/many.md", string.Join('\n', Enumerable.Range(1, 40).Select(i => $"line {i} mentions claim")));
        Write("outside-secret.md", "claim secret");
        File.Move(Path.Combine(_project, "docs", "outside-secret.md"), Path.Combine(_project, "secret.md"));
        File.CreateSymbolicLink(Path.Combine(_project, "docs", "link.md"), Path.Combine(_project, "secret.md"));
    }

    [Fact]
    public async Task The_index_lists_the_docs_and_a_path_reads_one()
    {
        await using var node = await StartAsync();
        var index = await ReadJsonAsync(node, "docs://index");
        var docs = index.GetProperty("resources").EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString() == "doc").Select(e => e.GetProperty("uri").GetString()).ToList();
        Assert.Equal(["docs://big/many.md", "docs://guide/claims.md", "docs://leases.markdown"], docs);

        var read = await node.Client.ReadResourceAsync("docs://guide/claims.md", cancellationToken: Ct);
        var text = Assert.IsType<TextResourceContents>(Assert.Single(read.Contents));
        Assert.StartsWith("# Claims", text.Text, StringComparison.Ordinal);
        Assert.Equal("text/markdown", text.MimeType);

        // Skills keep their own template.
        Assert.Equal("basics", (await ReadJsonAsync(node, "docs://skills/basics")).GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("docs://notes.txt")]
    [InlineData("docs://guide/../leases.markdown")]
    [InlineData("docs://guide/./claims.md")]
    [InlineData("docs://guide//claims.md")]
    [InlineData("docs://link.md")]
    [InlineData("docs://missing.md")]
    [InlineData("docs://guide/cla%20ims.md")]
    [InlineData("docs://%2Fetc%2Fpasswd.md")]
    public async Task A_path_that_is_not_a_served_doc_is_not_found(string uri)
    {
        await using var node = await StartAsync();
        var ex = await Assert.ThrowsAsync<McpProtocolException>(async () => await node.Client.ReadResourceAsync(uri, cancellationToken: Ct));
        Assert.Contains(ex.ErrorCode, new[] { McpErrorCode.ResourceNotFound, McpErrorCode.InvalidParams });
        Assert.DoesNotContain(_project, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_over_256_characters_is_not_found()
    {
        await using var node = await StartAsync();
        var ex = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await node.Client.ReadResourceAsync("docs://" + new string('a', 254) + ".md", cancellationToken: Ct));
        Assert.Contains(ex.ErrorCode, new[] { McpErrorCode.ResourceNotFound, McpErrorCode.InvalidParams });
    }

    [Fact]
    public async Task Search_needs_every_term_puts_path_hits_first_and_shows_five_lines_with_context()
    {
        await using var node = await StartAsync();
        var both = await ReadJsonAsync(node, "docs://search/CLAIM%20lease");
        var paths = both.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("path").GetString()).ToList();

        // leases.markdown matches "lease" in its path; claims.md matches "claim" in its path and has more "lease"-free text;
        // many.md has "claim" 40 times but no "lease", so it is not a hit; the link and the .txt are never searched.
        Assert.Equal(["guide/claims.md", "leases.markdown"], paths.Order(StringComparer.Ordinal));
        Assert.All(both.GetProperty("results").EnumerateArray(), r => Assert.True(r.GetProperty("filename_match").GetBoolean()));

        var one = await ReadJsonAsync(node, "docs://search/mentions");
        var hit = Assert.Single(one.GetProperty("results").EnumerateArray());
        Assert.Equal(("docs://big/many.md", 40), (hit.GetProperty("uri").GetString(), hit.GetProperty("matches").GetInt32()));
        var lines = hit.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3, 4, 5], lines.Select(l => l.GetProperty("line").GetInt32()));
        Assert.Equal("line 1 mentions claim\nline 2 mentions claim\nline 3 mentions claim", lines[0].GetProperty("context").GetString());
        Assert.Equal(5, lines[4].GetProperty("context").GetString()!.Split('\n').Length);

        var lease = await ReadJsonAsync(node, "docs://search/lease");
        Assert.Equal("leases.markdown", lease.GetProperty("results")[0].GetProperty("path").GetString());

        Assert.Equal(0, (await ReadJsonAsync(node, "docs://search/secret")).GetProperty("count").GetInt32());
        Assert.Equal(0, (await ReadJsonAsync(node, "docs://search/claim%20nowhere-at-all")).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Search_answers_at_most_twenty_files()
    {
        for (var i = 0; i < 25; i++)
        {
            Write($"bulk/file{i:D2}.md", "swarm\n");
        }

        await using var node = await StartAsync();
        var found = await ReadJsonAsync(node, "docs://search/swarm");
        Assert.Equal((20, 25), (found.GetProperty("count").GetInt32(), found.GetProperty("total").GetInt32()));
    }

    public void Dispose() => Directory.Delete(_project, recursive: true);

    private Task<InMemoryNode> StartAsync() =>
        InMemoryNode.StartAsync(LoadedConfig.Of(new TaskGraphConfig()) with { Options = new ConfigLoadOptions { ProjectDirectory = _project } }, Ct);

    private static async Task<JsonElement> ReadJsonAsync(InMemoryNode node, string uri)
    {
        var read = await node.Client.ReadResourceAsync(uri, cancellationToken: Ct);
        var text = Assert.IsType<TextResourceContents>(Assert.Single(read.Contents));
        return JsonDocument.Parse(text.Text).RootElement.Clone();
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_project, "docs", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
