using TaskGraph.Core.Errors;

namespace TaskGraph.Tests.ReadModels;

[Trait("Lane", "fast")]
public sealed class ReadModelSearchTests
{
    [Fact]
    public async Task Words_match_titles_and_descriptions_with_highlighted_snippets()
    {
        await using var h = await SeededAsync();

        var page = h.Model.Search("parser", 10, 0, null);

        Assert.Equal(["json", "yaml"], page.Hits.Select(x => x.TaskId).Order());
        var yaml = page.Hits.Single(x => x.TaskId == "yaml");
        Assert.Equal("Build YAML <mark>parser</mark>", yaml.TitleSnippet);
        Assert.Equal("Write the YAML <mark>parser</mark> for config files", yaml.DescriptionSnippet);
        Assert.Equal("Build YAML parser", yaml.Title);
        Assert.Equal("pending", yaml.Status);
    }

    [Fact]
    public async Task Phrases_prefixes_boolean_operators_and_column_filters_follow_fts5_syntax()
    {
        await using var h = await SeededAsync();

        string[] Find(string q) => [.. h.Model.Search(q, 10, 0, null).Hits.Select(x => x.TaskId).Order()];

        Assert.Equal(["yaml"], Find("\"yaml parser\""));
        Assert.Equal(["json", "yaml"], Find("pars*"));
        Assert.Equal(["json"], Find("parser NOT yaml"));
        Assert.Equal(["docs", "json"], Find("json OR readme"));
        Assert.Equal(["docs"], Find("title:readme"));
        Assert.Empty(Find("description:readme"));
        Assert.Equal(["json"], Find("description:streaming"));
    }

    [Fact]
    public async Task Results_come_best_bm25_first_and_page_with_has_more()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        await h.Writer.CreateTaskAsync("weak", "cache", "Notes on many unrelated topics: logging, metrics, tracing, dashboards and cache", ct: h.Ct);
        await h.Writer.CreateTaskAsync("strong", "cache cache", "cache invalidation for the cache layer", ct: h.Ct);
        await h.AppliedAsync(h.Writer.CreateTaskAsync("middle", "cache warmup", "warm it", ct: h.Ct));

        var all = h.Model.Search("cache", 10, 0, null);
        var first = h.Model.Search("cache", 2, 0, null);
        var rest = h.Model.Search("cache", 2, 2, null);

        Assert.Equal("strong", all.Hits[0].TaskId);
        Assert.Equal("weak", all.Hits[^1].TaskId);
        Assert.True(all.Hits.Zip(all.Hits.Skip(1)).All(p => p.First.Score <= p.Second.Score));
        Assert.True(all.Hits[0].Score < 0);
        Assert.Equal((2, true), (first.Hits.Count, first.HasMore));
        Assert.Equal((1, false), (rest.Hits.Count, rest.HasMore));
    }

    [Fact]
    public async Task Long_descriptions_are_cut_to_a_snippet_with_ellipses()
    {
        await using var h = await ReadModelHarness.StartedAsync();
        var words = string.Join(' ', Enumerable.Range(0, 200).Select(i => i == 100 ? "needle" : $"word{i}"));
        await h.AppliedAsync(h.Writer.CreateTaskAsync("long", "Haystack", words, ct: h.Ct));

        var hit = h.Model.Search("needle", 5, 0, null).Hits.Single();

        Assert.StartsWith("...", hit.DescriptionSnippet, StringComparison.Ordinal);
        Assert.EndsWith("...", hit.DescriptionSnippet, StringComparison.Ordinal);
        Assert.Contains("<mark>needle</mark>", hit.DescriptionSnippet, StringComparison.Ordinal);
        Assert.True(hit.DescriptionSnippet.Split(' ').Length <= 64);
    }

    [Fact]
    public async Task Status_filter_and_soft_delete_narrow_the_results()
    {
        await using var h = await SeededAsync();
        await h.Writer.SetStatusAsync("json", "working", owner: "w1", ct: h.Ct);
        await h.AppliedAsync(h.Writer.ChangeTaskAsync("yaml", t => t with { DeletedAt = h.NowMs }, h.Ct));

        Assert.Equal(["json"], h.Model.Search("parser", 10, 0, ["working"]).Hits.Select(x => x.TaskId));
        Assert.Equal(["json"], h.Model.Search("parser", 10, 0, null).Hits.Select(x => x.TaskId));
        Assert.Equal(2, h.Model.Search("parser", 10, 0, null, includeDeleted: true).Hits.Count);
    }

    [Fact]
    public async Task The_index_follows_updates_renames_and_deletes()
    {
        await using var h = await SeededAsync();
        await h.Writer.ChangeTaskAsync("docs", t => t with { Title = "Changelog" }, h.Ct);
        await h.Writer.RenameAsync("json", "json2", h.Ct);
        await h.AppliedAsync(h.Writer.ObliterateAsync("yaml", h.Ct));

        Assert.Empty(h.Model.Search("readme", 10, 0, null).Hits);
        Assert.Equal(["docs"], h.Model.Search("changelog", 10, 0, null).Hits.Select(x => x.TaskId));
        Assert.Equal(["json2"], h.Model.Search("parser", 10, 0, null).Hits.Select(x => x.TaskId));
    }

    [Theory]
    [InlineData("\"unbalanced")]
    [InlineData("AND parser")]
    [InlineData("nosuchcolumn:parser")]
    [InlineData("   ")]
    public async Task A_malformed_query_is_an_invalid_field_value_on_query(string query)
    {
        await using var h = await SeededAsync();

        var error = Assert.Throws<TaskGraphException>(() => h.Model.Search(query, 10, 0, null));

        Assert.Equal(ErrorCodes.InvalidFieldValue, error.Code);
        Assert.Equal("query", error.Field);
        Assert.DoesNotContain("Microsoft.Data", error.Message, StringComparison.Ordinal);
    }

    private static async Task<ReadModelHarness> SeededAsync()
    {
        var h = await ReadModelHarness.StartedAsync();
        await h.Writer.CreateTaskAsync("yaml", "Build YAML parser", "Write the YAML parser for config files", ct: h.Ct);
        await h.Writer.CreateTaskAsync("json", "JSON reader", "A streaming parser for JSON", ct: h.Ct);
        await h.AppliedAsync(h.Writer.CreateTaskAsync("docs", "Update README", "Explain the setup", ct: h.Ct));
        return h;
    }
}
