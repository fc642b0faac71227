using System.Text.Json;
using TaskGraph.Core.Attachments;
using TaskGraph.Core.Configuration;
using TaskGraph.Core.Storage;
using static TaskGraph.Tests.Node.EndToEnd.EndToEnd;

namespace TaskGraph.Tests.Node.InProcess;

/// <summary>
/// attach, attachments and detach through the real tools: per-type sequences from 0, append and replace (with the
/// replaced content gone), type and MIME defaults and the unknown-type policy, MIME validation, content or file, several
/// tasks at once, detach, refusals that leave nothing behind, and concurrent attaches that all land with distinct
/// sequences. Runs on SQLite (fast lane) and on a single nats-server.
/// </summary>
public abstract class AttachmentToolTests : InProcessToolTests
{
    private readonly string _media = TestPaths.TempDir("attach-media");

    /// <summary>The media directory of a standalone node (blobs), a temp dir of the test's own.</summary>
    protected override TaskGraphConfig Config => new() { Server = new ServerSettings { MediaDir = _media } };

    [Fact]
    public async Task Attach_appends_per_type_from_sequence_zero_and_lists_with_filters_and_content()
    {
        await CallAsync("create", new { id = "at-a", title = "evidence" });
        var first = await CallAsync("attach", new { task = "at-a", type = "note", content = "first note", name = "n1", agent = "alice" });
        Assert.Equal(("at-a", "note", 0), (String(first, "task_id"), String(first, "type"), first.GetProperty("sequence").GetInt32()));
        Assert.Equal(1, (await CallAsync("attach", new { task = "at-a", type = "note", content = "second note" })).GetProperty("sequence").GetInt32());
        Assert.Equal(0, (await CallAsync("attach", new { task = "at-a", type = "commit", content = "abc123" })).GetProperty("sequence").GetInt32());
        await CallAsync("attach", new { task = "at-a", type = "result", content = """{"ok":true}""" });

        var all = (await CallAsync("attachments", new { task = "at-a" })).GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal(["commit:0", "note:0", "note:1", "result:0"], all.Select(a => $"{String(a, "type")}:{a.GetProperty("sequence").GetInt32()}"));
        Assert.Equal("text/git.hash", String(all[0], "mime_type"));
        Assert.Equal("application/json", String(all[3], "mime_type"));
        Assert.All(all, a => Assert.False(a.TryGetProperty("content", out _)));

        var notes = (await CallAsync("attachments", new { task = "at-a", type = "n?t*", content = true })).GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal(["first note", "second note"], notes.Select(n => String(n, "content")));
        Assert.Equal("n1", String(notes[0], "name"));
        Assert.Equal(3, (await CallAsync("attachments", new { task = "at-a", mime = "text/" })).GetProperty("attachments").GetArrayLength());

        var task = await CallAsync("get", new { task = "at-a" });
        Assert.Equal(4, task.GetProperty("attachments").GetArrayLength());
        Assert.Equal(2, task.GetProperty("attachment_counts").GetProperty("text/plain").GetInt32());
    }

    [Fact]
    public async Task Replace_keeps_one_attachment_of_the_type_at_sequence_zero_and_drops_the_old_content()
    {
        await CallAsync("create", new { id = "at-b", title = "plan" });
        await CallAsync("attach", new { task = "at-b", type = "plan", content = "v1" });
        await CallAsync("attach", new { task = "at-b", type = "note", content = "kept" });
        var replaced = await CallAsync("attach", new { task = "at-b", type = "plan", content = "v2" });
        Assert.Equal(0, replaced.GetProperty("sequence").GetInt32());
        var plans = (await CallAsync("attachments", new { task = "at-b", type = "plan", content = true })).GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal(["v2"], plans.Select(p => String(p, "content")));

        // An explicit mode beats the type's default.
        await CallAsync("attach", new { task = "at-b", type = "plan", content = "v3", mode = "append" });
        Assert.Equal(2, (await CallAsync("attachments", new { task = "at-b", type = "plan" })).GetProperty("attachments").GetArrayLength());
        Assert.Equal(3, (await CallAsync("attachments", new { task = "at-b" })).GetProperty("attachments").GetArrayLength());
    }

    [Fact]
    public async Task An_unknown_type_is_attached_with_a_warning_and_several_tasks_take_one_attach()
    {
        await CallAsync("create", new { id = "at-c", title = "one" });
        await CallAsync("create", new { id = "at-d", title = "two" });
        var both = await CallAsync("attach", new { task = new[] { "at-c", "at-d" }, type = "screenshot-notes", content = "see" });
        var items = both.GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal(["at-c", "at-d"], items.Select(i => String(i, "task_id")));
        Assert.All(items, i => Assert.Contains("Unknown attachment type", String(i, "warning"), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"task":"at-e","type":"note","content":"x","mime":"text"}""", "INVALID_FIELD_VALUE", "mime")]
    [InlineData("""{"task":"at-e","type":"note","content":"x","mime":"text/pla in"}""", "INVALID_FIELD_VALUE", "mime")]
    [InlineData("""{"task":"at-e","type":"note","content":"x","mode":"merge"}""", "INVALID_FIELD_VALUE", "mode")]
    [InlineData("""{"task":"at-e","type":"note"}""", "MISSING_REQUIRED_FIELD", "content")]
    [InlineData("""{"task":"at-e","type":"note","file":"no/such/file.txt"}""", "FILE_NOT_FOUND", "file")]
    [InlineData("""{"task":"at-missing","type":"note","content":"x"}""", "TASK_NOT_FOUND", "task")]
    [InlineData("""{"task":"at-e","content":"x"}""", "MISSING_REQUIRED_FIELD", "type")]
    public async Task Bad_attachments_are_refused_and_leave_the_task_unchanged(string args, string code, string field)
    {
        await CallAsync("create", new { id = "at-e", title = "guarded" });
        var before = (await CallAsync("get", new { task = "at-e" })).GetRawText();
        var envelope = await RefusedAsync("attach", args, code);
        Assert.Equal(field, String(envelope, "field"));
        Assert.Equal(before, (await CallAsync("get", new { task = "at-e" })).GetRawText());
    }

    [Fact]
    public async Task Content_over_the_blob_limit_is_refused()
    {
        await CallAsync("create", new { id = "at-f", title = "big" });
        var envelope = await RefusedAsync("attach", new { task = "at-f", type = "log", content = new string('x', AttachmentContents.MaxBlobBytes + 1) }, "INVALID_FIELD_VALUE");
        Assert.Equal("content", String(envelope, "field"));
        Assert.Equal(0, (await CallAsync("attachments", new { task = "at-f" })).GetProperty("attachments").GetArrayLength());
    }

    [Fact]
    public async Task Large_content_store_as_file_and_file_bytes_live_as_blobs_read_back_and_go_with_their_attachment()
    {
        await CallAsync("connect", new { worker_id = "at-blobber" });
        await CallAsync("create", new { id = "at-k", title = "evidence" });
        var large = string.Concat(Enumerable.Range(0, 30_000).Select(i => $"line {i:D5}\n"));
        Assert.True(large.Length > AttachmentContents.MaxContentBytes);
        var big = await CallAsync("attach", new { task = "at-k", type = "log", content = large });
        var bigBlob = String(big, "blob")!;
        var asFile = await CallAsync("attach", new { task = "at-k", type = "gate/tests", content = "412 passed", store_as_file = true });
        var fileBlob = String(asFile, "blob")!;
        Assert.Matches(@"^at-k_gate_tests_\d{13}-[0-9a-f]{4}\.txt$", fileBlob);
        var source = Path.Combine(_media, "..", Path.GetFileName(_media) + "-report.json");
        await File.WriteAllTextAsync(source, """{"passed":412}""", Ct);
        var fromFile = await CallAsync("attach", new { task = "at-k", type = "result", file = Path.GetFullPath(source), store_as_file = true });
        Assert.EndsWith(".json", String(fromFile, "blob"), StringComparison.Ordinal);
        File.Delete(source);

        // Their content is in the blob store, and every read gives it back whole; a record keeps only each text blob's
        // first MaxContentBytes, for search.
        Assert.Equal(3, await ContentRecordsAsync());
        var listed = (await CallAsync("attachments", new { task = "at-k", content = true })).GetProperty("attachments").EnumerateArray().ToDictionary(a => String(a, "type")!);
        Assert.Equal(large, String(listed["log"], "content"));
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(large), listed["log"].GetProperty("size").GetInt32());
        Assert.Equal("412 passed", String(listed["gate/tests"], "content"));
        Assert.Equal("""{"passed":412}""", String(listed["result"], "content"));
        var blobs = Blobs();
        Assert.NotNull(await blobs.GetAsync(bigBlob, Ct));
        if (blobs.IsLocalDirectory)
        {
            Assert.Equal("412 passed", await File.ReadAllTextAsync(Path.Combine(_media, fileBlob), Ct));
        }

        var detached = await CallAsync("detach", new { agent = "at-blobber", task = "at-k", type = "log" });
        Assert.Equal((1, 1), (detached.GetProperty("deleted_count").GetInt32(), detached.GetProperty("files_deleted").GetInt32()));
        Assert.Null(await blobs.GetAsync(bigBlob, Ct));

        // Inline attachments of an update take store_as_file too.
        var updated = await CallAsync("update", new { worker_id = "at-blobber", task = "at-k", title = "evidence, more", force = true, attachments = new[] { new { type = "note", content = "inline blob", store_as_file = true } } });
        var inline = (await CallAsync("attachments", new { task = "at-k", type = "note", content = true })).GetProperty("attachments")[0];
        Assert.Equal("inline blob", String(inline, "content"));
        Assert.NotNull(await blobs.GetAsync(String(inline, "blob")!, Ct));
        Assert.Equal("evidence, more", String(updated, "title"));
        var replaced = String(await CallAsync("attach", new { task = "at-k", type = "gate/tests", content = "413 passed", store_as_file = true, mode = "replace" }), "blob")!;
        Assert.Null(await blobs.GetAsync(fileBlob, Ct));
        Assert.NotNull(await blobs.GetAsync(replaced, Ct));
        await CallAsync("delete", new { worker_id = "at-blobber", task = "at-k", obliterate = true });
        Assert.Null(await blobs.GetAsync(replaced, Ct));
        Assert.Null(await blobs.GetAsync(String(fromFile, "blob")!, Ct));
        Assert.True(!blobs.IsLocalDirectory || Directory.GetFiles(_media).Length == 0, "every blob goes with its task");
    }

    private IBlobStore Blobs() => Node.Graph.Store as IBlobStore ?? new MediaDirectoryBlobStore(_media);

    [Fact]
    public async Task Detach_removes_every_attachment_of_the_type_and_keeps_the_others()
    {
        await CallAsync("create", new { id = "at-g", title = "cleanup" });
        await CallAsync("attach", new { task = "at-g", type = "log", content = "one" });
        await CallAsync("attach", new { task = "at-g", type = "log", content = "two" });
        await CallAsync("attach", new { task = "at-g", type = "note", content = "stays" });
        var detached = await CallAsync("detach", new { agent = "alice", task = "at-g", type = "log" });
        Assert.Equal(2, detached.GetProperty("deleted_count").GetInt32());
        var left = (await CallAsync("attachments", new { task = "at-g", content = true })).GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal(["stays"], left.Select(a => String(a, "content")));
        Assert.Equal(0, (await CallAsync("detach", new { agent = "alice", task = "at-g", type = "log" })).GetProperty("deleted_count").GetInt32());

        // A new log starts at sequence 0 again.
        Assert.Equal(0, (await CallAsync("attach", new { task = "at-g", type = "log", content = "three" })).GetProperty("sequence").GetInt32());
    }

    [Fact]
    public async Task Sixteen_concurrent_attaches_all_land_with_distinct_sequences()
    {
        await CallAsync("create", new { id = "at-h", title = "contended" });
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => CallAsync("attach", new { task = "at-h", type = "output", content = $"from {i}", agent = $"w{i}" }))));
        var all = (await CallAsync("attachments", new { task = "at-h", content = true })).GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 16), all.Select(a => a.GetProperty("sequence").GetInt32()).Order());
        Assert.Equal(Enumerable.Range(0, 16).Select(i => $"from {i}").Order(StringComparer.Ordinal), all.Select(a => String(a, "content")!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Detached_replaced_and_obliterated_content_leaves_the_store()
    {
        await CallAsync("connect", new { worker_id = "at-cleaner" });
        await CallAsync("create", new { id = "at-j", title = "short-lived" });
        await CallAsync("attach", new { task = "at-j", type = "plan", content = "v1" });
        await CallAsync("attach", new { task = "at-j", type = "plan", content = "v2" });
        await CallAsync("attach", new { task = "at-j", type = "log", content = "l1" });
        await CallAsync("attach", new { task = "at-j", type = "note", content = "n1" });
        Assert.Equal(3, await ContentRecordsAsync());
        await CallAsync("detach", new { agent = "at-cleaner", task = "at-j", type = "log" });
        Assert.Equal(2, await ContentRecordsAsync());
        await CallAsync("delete", new { worker_id = "at-cleaner", task = "at-j", obliterate = true });
        Assert.Equal(0, await ContentRecordsAsync());
    }

    private async Task<int> ContentRecordsAsync() =>
        (await Node.Graph.Store.ListAsync(TaskGraph.Core.Storage.RecordKeys.AttachmentPrefix, Ct)).Count;

    [Fact]
    public async Task A_renamed_task_keeps_its_attachments()
    {
        await CallAsync("connect", new { worker_id = "at-renamer" });
        await CallAsync("create", new { id = "at-i", title = "moving" });
        await CallAsync("attach", new { task = "at-i", type = "note", content = "travels along" });
        await CallAsync("rename", new { worker_id = "at-renamer", task = "at-i", new_id = "at-i2" });
        var moved = (await CallAsync("attachments", new { task = "at-i2", content = true })).GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal(["travels along"], moved.Select(a => String(a, "content")));
    }

    [Fact]
    public async Task Search_finds_attachment_text_only_when_asked_and_only_while_the_task_lists_it()
    {
        await CallAsync("connect", new { worker_id = "at-finder" });
        await CallAsync("create", new { id = "at-s1", title = "flaky build" });
        await CallAsync("create", new { id = "at-s2", title = "zebracorn in the title" });
        await CallAsync("attach", new { task = "at-s1", type = "log", content = "stack trace mentions zebracorn overflow" });
        await CallAsync("attach", new { task = "at-s1", type = "note", content = "nothing here" });

        Assert.Equal(["at-s2"], SearchIds(await CallAsync("search", new { query = "zebracorn" })));

        var both = await CallAsync("search", new { query = "zebracorn", include_attachments = true });
        Assert.Equal(["at-s1", "at-s2"], SearchIds(both));
        var hit = both.GetProperty("results").EnumerateArray().Single(r => String(r, "task_id") == "at-s1");
        Assert.Contains("<mark>zebracorn</mark>", String(hit, "attachment_snippet"), StringComparison.Ordinal);
        Assert.Equal(["at-s2"], SearchIds(await CallAsync("search", new { query = "title:zebracorn", include_attachments = true })));
        Assert.Empty(SearchIds(await CallAsync("search", new { query = "zebracorn", include_attachments = true, status_filter = "completed" })));
        var paged = await CallAsync("search", new { query = "zebracorn", include_attachments = true, limit = 1 });
        Assert.True(paged.GetProperty("has_more").GetBoolean());

        await CallAsync("rename", new { worker_id = "at-finder", task = "at-s1", new_id = "at-s3" });
        Assert.Equal(["at-s2", "at-s3"], SearchIds(await CallAsync("search", new { query = "zebracorn", include_attachments = true })));

        await CallAsync("detach", new { agent = "at-finder", task = "at-s3", type = "log" });
        Assert.Equal(["at-s2"], SearchIds(await CallAsync("search", new { query = "zebracorn", include_attachments = true })));
    }

    [Fact]
    public async Task Search_reads_the_first_256_KiB_of_a_text_blob_and_not_a_binary_one()
    {
        await CallAsync("connect", new { worker_id = "at-blobsearch" });
        await CallAsync("create", new { id = "at-b1", title = "long log" });
        await CallAsync("create", new { id = "at-b2", title = "picture" });
        var head = "start quokkaword " + new string('x', 1000) + "\n";
        var filler = string.Concat(Enumerable.Range(0, 30_000).Select(i => $"line {i:D5}\n"));
        await CallAsync("attach", new { task = "at-b1", type = "log", content = head + filler + "tail wombatword\n" });
        await CallAsync("attach", new { task = "at-b2", type = "image", mime = "image/png", content = "pretend png quokkaword", store_as_file = true });
        Assert.Equal(1, await ContentRecordsAsync());

        Assert.Equal(["at-b1"], SearchIds(await CallAsync("search", new { query = "quokkaword", include_attachments = true })));
        Assert.Empty(SearchIds(await CallAsync("search", new { query = "wombatword", include_attachments = true })));
        await CallAsync("detach", new { agent = "at-blobsearch", task = "at-b1", type = "log" });
        Assert.Empty(SearchIds(await CallAsync("search", new { query = "quokkaword", include_attachments = true })));
        Assert.Equal(0, await ContentRecordsAsync());
    }

    [Fact]
    public void A_search_excerpt_is_cut_on_a_character_boundary()
    {
        var text = new string('a', AttachmentContents.MaxContentBytes - 1) + "é and more";
        var excerpt = AttachmentContents.SearchExcerpt(System.Text.Encoding.UTF8.GetBytes(text));
        Assert.Equal(new string('a', AttachmentContents.MaxContentBytes - 1), excerpt);
        Assert.Equal("short", AttachmentContents.SearchExcerpt("short"u8.ToArray()));
    }

    private static List<string> SearchIds(JsonElement answer) => [.. answer.GetProperty("results").EnumerateArray().Select(r => String(r, "task_id")!).Order()];
}
