using TaskGraph.Core.Dependencies;
using TaskGraph.Core.Errors;
using TaskGraph.Core.Graph;
using TaskGraph.Core.Ids;
using TaskGraph.Core.Storage;
using TaskGraph.Core.Tasks;
using TaskGraph.Core.Workers;

namespace TaskGraph.Tests.Rules.Ids;

/// <summary>Generated ids: our word lists, the redraw on a collision (seeded), and user-given ids that still collide loudly.</summary>
[Trait("Lane", "fast")]
public sealed class IdGenerationTests
{
    [Fact]
    public void The_word_lists_have_no_duplicates_plain_lowercase_words_and_give_at_least_250000_two_word_ids()
    {
        foreach (var list in new[] { WordLists.Adjectives, WordLists.Nouns })
        {
            Assert.Equal(list.Count, list.Distinct(StringComparer.Ordinal).Count());
            Assert.All(list, w => Assert.Matches("^[a-z]{2,12}$", w));
        }

        Assert.True(WordLists.Adjectives.Count * (long)WordLists.Nouns.Count >= 250_000, $"{WordLists.Adjectives.Count} x {WordLists.Nouns.Count}");
    }

    [Theory]
    [InlineData("kebab-case", "^[a-z]+-[a-z]+$")]
    [InlineData("snake_case", "^[a-z]+_[a-z]+$")]
    [InlineData("pascal-case", "^[A-Z][a-z]+[A-Z][a-z]+$")]
    [InlineData("camel-case", "^[a-z]+[A-Z][a-z]+$")]
    [InlineData("uppercase", "^[A-Z]+$")]
    public void A_generated_id_follows_the_configured_case(string idCase, string pattern)
    {
        var names = new PetnameGenerator(new Random(3));
        for (var i = 0; i < 50; i++)
        {
            Assert.Matches(pattern, names.Next(2, idCase));
        }
    }

    [Fact]
    public async Task A_colliding_draw_is_redrawn_and_every_few_collisions_the_id_gets_one_more_word()
    {
        var tried = new List<string>();
        var id = await IdDraw.CreateAsync(new PetnameGenerator(new Random(11)), 2, "kebab-case", candidate =>
        {
            tried.Add(candidate);
            return tried.Count <= 7 ? throw new ConcurrencyConflictException("task." + candidate, 0) : Task.FromResult(candidate);
        });

        Assert.Equal(8, tried.Count);
        Assert.Equal(tried[^1], id);
        Assert.Equal([2, 2, 2, 3, 3, 3, 4, 4], tried.Select(t => t.Split('-').Length));
    }

    [Fact]
    public async Task A_draw_that_never_finds_a_free_id_gives_up_with_conflict_after_a_bounded_number_of_tries()
    {
        var tries = 0;
        var ex = await RulesHarness.FailsAsync(ErrorCodes.Conflict, () => IdDraw.CreateAsync<string>(new PetnameGenerator(new Random(5)), 2, "kebab-case", candidate =>
        {
            tries++;
            throw new ConcurrencyConflictException("task." + candidate, 0);
        }));

        Assert.Equal(IdDraw.MaxAttempts, tries);
        Assert.Equal("id", ex.Field);
    }

    [Fact]
    public async Task Create_with_a_generated_id_that_already_exists_redraws_instead_of_failing()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        var reference = new PetnameGenerator(new Random(42));
        var taken = new[] { reference.Next(2, "kebab-case"), reference.Next(2, "kebab-case") };
        var expected = reference.Next(2, "kebab-case");
        foreach (var id in taken)
        {
            await h.CreateAsync(id, cts.Token);
        }

        var tasks = Seeded(h, 42);
        var created = await tasks.CreateAsync(new CreateTaskRequest { Title = "fresh" }, cts.Token);

        Assert.Equal(expected, created.Task.Id);
        foreach (var id in taken)
        {
            Assert.Equal(id, (await h.TaskAsync(id, cts.Token)).Title);
        }
    }

    [Fact]
    public async Task A_tree_node_whose_drafted_id_is_taken_on_insert_is_redrawn_and_its_edges_use_the_final_id()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        var reference = new PetnameGenerator(new Random(7));
        var root = reference.Next(2, "kebab-case");
        var firstChild = reference.Next(2, "kebab-case");
        var secondChild = reference.Next(2, "kebab-case");
        var redrawn = reference.Next(2, "kebab-case");

        // Another node takes the first child's drafted id between the tree's validation and its insert: simulated by
        // creating it up front, which the validation cannot see for generated ids (they are only drafts there).
        await h.CreateAsync(firstChild, cts.Token);
        var tree = new TreeNode
        {
            Task = new CreateTaskRequest { Title = "root" },
            Children = [new TreeNode { Task = new CreateTaskRequest { Title = "one" } }, new TreeNode { Task = new CreateTaskRequest { Title = "two" } }],
        };

        var result = await Seeded(h, 7).CreateTreeAsync(tree, null, "contains", "follows", null, cts.Token);

        Assert.Equal([root, redrawn, secondChild], result.AllIds);
        Assert.Equal("one", (await h.TaskAsync(redrawn, cts.Token)).Title);
        Assert.Equal(firstChild, (await h.TaskAsync(firstChild, cts.Token)).Title);
        var edges = (await h.EdgesAsync(cts.Token)).Select(e => (e.From, e.To, e.Type)).ToList();
        Assert.Equal([(root, redrawn, "contains"), (root, secondChild, "contains"), (redrawn, secondChild, "follows")], edges);
    }

    [Fact]
    public async Task A_tree_with_a_user_given_id_that_exists_is_already_exists_before_anything_is_written()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        await h.CreateAsync("taken", cts.Token);
        var tree = new TreeNode
        {
            Task = new CreateTaskRequest { Title = "root" },
            Children = [new TreeNode { Task = new CreateTaskRequest { Title = "fresh" } }, new TreeNode { Task = new CreateTaskRequest { Id = "taken", Title = "again" } }],
        };

        var ex = await h.FailsCleanlyAsync(ErrorCodes.AlreadyExists, () => h.Tasks.CreateTreeAsync(tree, null, "contains", null, null, cts.Token), cts.Token);
        Assert.Contains("taken", ex.Message, StringComparison.Ordinal);
        await h.FailsCleanlyAsync(ErrorCodes.AlreadyExists, () => h.Tasks.CreateAsync(new CreateTaskRequest { Id = "taken", Title = "again" }, cts.Token), cts.Token);
    }

    [Fact]
    public async Task Connect_without_an_id_redraws_a_taken_worker_id()
    {
        using var cts = RulesHarness.Timeout();
        await using var h = await RulesHarness.CreateAsync(cancellationToken: cts.Token);
        var reference = new PetnameGenerator(new Random(9));
        var taken = reference.Next(2, "pascal-case");
        var expected = reference.Next(2, "pascal-case");
        await h.ConnectAsync(taken, cts.Token);
        var context = new GraphContext(new GraphRecords(h.Store), h.Config, h.Time, new Immediate(), new PetnameGenerator(new Random(9)));

        var connected = await new WorkerService(context).ConnectAsync(new ConnectRequest(), cts.Token);

        Assert.Equal(expected, connected.Worker.Id);
    }

    private static TaskService Seeded(RulesHarness h, int seed)
    {
        var context = new GraphContext(new GraphRecords(h.Store), h.Config, h.Time, new Immediate(), new PetnameGenerator(new Random(seed)));
        var workers = new WorkerService(context);
        return new TaskService(context, workers, new DependencyService(context), new TaskGraph.Core.Attachments.AttachmentContents(context, Path.GetTempPath()));
    }

    private sealed class Immediate : IReadYourWrites
    {
        public ValueTask WaitForAsync(string key, ulong revision, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
