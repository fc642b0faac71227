using System.Globalization;
using System.Text;
using TaskGraph.Core.Storage;

namespace TaskGraph.Tests.Storage;

/// <summary>
/// The store contract every <see cref="IRecordStore"/> must pass, unchanged, on every backend.
/// Subclasses provide fresh isolated stores and a second independent instance on the same data.
/// Keys stay inside the JetStream KV charset so the NATS store runs the same suite.
/// </summary>
public abstract class StoreContractTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Returns a fresh, empty store that no other test sees.</summary>
    protected abstract Task<IRecordStore> OpenStoreAsync();

    /// <summary>Returns another independent instance (own connection) on the same data as <paramref name="first"/>.</summary>
    protected abstract Task<IRecordStore> OpenSecondInstanceAsync(IRecordStore first);

    [Fact]
    public async Task Get_of_a_missing_key_returns_null()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();

        Assert.Null(await store.GetAsync("task.missing", cts.Token));
    }

    [Fact]
    public async Task Empty_store_has_position_zero_and_lists_nothing()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();

        Assert.Equal(0UL, await store.GetPositionAsync(cts.Token));
        Assert.Empty(await store.ListAsync("task.", cts.Token));
        Assert.Empty(await store.HistoryAsync("task.none", 0, cts.Token));
    }

    [Fact]
    public async Task Create_then_get_returns_the_value_and_the_revision()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();

        var revision = await store.CreateAsync("task.a", Bytes("hello"), cts.Token);
        var entry = await store.GetAsync("task.a", cts.Token);

        Assert.True(revision > 0);
        Assert.NotNull(entry);
        Assert.Equal("task.a", entry.Key);
        Assert.Equal("hello", Text(entry.Value));
        Assert.Equal(revision, entry.Revision);
    }

    [Fact]
    public async Task Create_of_an_existing_key_fails_with_expected_revision_zero()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        await store.CreateAsync("task.a", Bytes("first"), cts.Token);

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(
            async () => await store.CreateAsync("task.a", Bytes("second"), cts.Token));

        Assert.Equal("task.a", ex.Key);
        Assert.Equal(0UL, ex.ExpectedRevision);
        Assert.Equal("first", Text((await store.GetAsync("task.a", cts.Token))!.Value));
    }

    [Fact]
    public async Task Update_with_the_current_revision_returns_a_higher_revision()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        var r1 = await store.CreateAsync("task.a", Bytes("v1"), cts.Token);

        var r2 = await store.UpdateAsync("task.a", Bytes("v2"), r1, cts.Token);
        var entry = await store.GetAsync("task.a", cts.Token);

        Assert.True(r2 > r1);
        Assert.NotNull(entry);
        Assert.Equal("v2", Text(entry.Value));
        Assert.Equal(r2, entry.Revision);
    }

    [Fact]
    public async Task Update_with_a_stale_revision_conflicts_and_leaves_the_value_unchanged()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        var r1 = await store.CreateAsync("task.a", Bytes("v1"), cts.Token);
        var r2 = await store.UpdateAsync("task.a", Bytes("v2"), r1, cts.Token);

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(
            async () => await store.UpdateAsync("task.a", Bytes("stale"), r1, cts.Token));

        Assert.Equal("task.a", ex.Key);
        Assert.Equal(r1, ex.ExpectedRevision);
        var entry = await store.GetAsync("task.a", cts.Token);
        Assert.NotNull(entry);
        Assert.Equal("v2", Text(entry.Value));
        Assert.Equal(r2, entry.Revision);
    }

    [Fact]
    public async Task Update_of_a_missing_key_conflicts()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(
            async () => await store.UpdateAsync("task.ghost", Bytes("x"), 7, cts.Token));

        Assert.Equal("task.ghost", ex.Key);
        Assert.Equal(7UL, ex.ExpectedRevision);
        Assert.Null(await store.GetAsync("task.ghost", cts.Token));
    }

    [Fact]
    public async Task Delete_with_the_current_revision_removes_the_key()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        var r1 = await store.CreateAsync("task.a", Bytes("v1"), cts.Token);

        var r2 = await store.DeleteAsync("task.a", r1, cts.Token);

        Assert.True(r2 > r1);
        Assert.Null(await store.GetAsync("task.a", cts.Token));
    }

    [Fact]
    public async Task Delete_with_a_wrong_revision_conflicts_and_keeps_the_key()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        var r1 = await store.CreateAsync("task.a", Bytes("v1"), cts.Token);

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(
            async () => await store.DeleteAsync("task.a", r1 + 1000, cts.Token));

        Assert.Equal("task.a", ex.Key);
        Assert.Equal(r1 + 1000, ex.ExpectedRevision);
        Assert.Equal(r1, (await store.GetAsync("task.a", cts.Token))!.Revision);
    }

    [Fact]
    public async Task Delete_of_a_missing_or_deleted_key_conflicts()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        var r1 = await store.CreateAsync("task.a", Bytes("v1"), cts.Token);
        await store.DeleteAsync("task.a", r1, cts.Token);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await store.DeleteAsync("task.a", r1, cts.Token));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await store.DeleteAsync("task.never", 1, cts.Token));
    }

    [Fact]
    public async Task Update_after_delete_with_the_old_revision_conflicts()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        var r1 = await store.CreateAsync("task.a", Bytes("v1"), cts.Token);
        await store.DeleteAsync("task.a", r1, cts.Token);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(
            async () => await store.UpdateAsync("task.a", Bytes("zombie"), r1, cts.Token));
        Assert.Null(await store.GetAsync("task.a", cts.Token));
    }

    [Fact]
    public async Task Create_after_delete_succeeds_with_a_higher_revision()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        var r1 = await store.CreateAsync("task.a", Bytes("v1"), cts.Token);
        var r2 = await store.DeleteAsync("task.a", r1, cts.Token);

        var r3 = await store.CreateAsync("task.a", Bytes("reborn"), cts.Token);

        Assert.True(r3 > r2);
        var entry = await store.GetAsync("task.a", cts.Token);
        Assert.NotNull(entry);
        Assert.Equal("reborn", Text(entry.Value));
        Assert.Equal(r3, entry.Revision);
    }

    [Fact]
    public async Task Revisions_strictly_increase_per_key()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        var revision = await store.CreateAsync("task.a", Bytes("0"), cts.Token);
        await store.CreateAsync("task.b", Bytes("other"), cts.Token);

        for (var i = 1; i <= 10; i++)
        {
            var next = await store.UpdateAsync("task.a", Bytes(i.ToString(CultureInfo.InvariantCulture)), revision, cts.Token);
            Assert.True(next > revision, $"revision {next} after {revision}");
            revision = next;
        }
    }

    [Fact]
    public async Task List_by_prefix_returns_only_live_matching_keys_ordered_by_key()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        await store.CreateAsync("task.c", Bytes("c"), cts.Token);
        await store.CreateAsync("task.a", Bytes("a"), cts.Token);
        var rb = await store.CreateAsync("task.b", Bytes("b"), cts.Token);
        await store.CreateAsync("worker.a", Bytes("w"), cts.Token);
        await store.CreateAsync("tasks.x", Bytes("x"), cts.Token);
        await store.DeleteAsync("task.b", rb, cts.Token);

        var list = await store.ListAsync("task.", cts.Token);

        Assert.Equal(["task.a", "task.c"], list.Select(e => e.Key));
        Assert.Equal(["a", "c"], list.Select(e => Text(e.Value)));
        Assert.All(list, e => Assert.True(e.Revision > 0));
    }

    [Fact]
    public async Task List_by_prefix_treats_underscore_and_encoded_characters_literally()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        var weird = RecordKeys.Task("a_b%c d/e.f");
        await store.CreateAsync(weird, Bytes("weird"), cts.Token);
        await store.CreateAsync("task.a_1", Bytes("u1"), cts.Token);
        await store.CreateAsync("task.a_2", Bytes("u2"), cts.Token);
        await store.CreateAsync("task.ab1", Bytes("no"), cts.Token);
        await store.CreateAsync("task.aX_1", Bytes("no"), cts.Token);

        var underscore = await store.ListAsync("task.a_", cts.Token);
        var encoded = await store.ListAsync(RecordKeys.Task("a_b%c"), cts.Token);

        Assert.Equal(["task.a_1", "task.a_2", weird], underscore.Select(e => e.Key));
        Assert.Equal([weird], encoded.Select(e => e.Key));
        Assert.Equal("weird", Text((await store.GetAsync(weird, cts.Token))!.Value));
    }

    [Fact]
    public async Task Positions_strictly_increase_with_every_write()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        var positions = new List<ulong> { await store.GetPositionAsync(cts.Token) };

        var r = await store.CreateAsync("task.a", Bytes("1"), cts.Token);
        positions.Add(await store.GetPositionAsync(cts.Token));
        r = await store.UpdateAsync("task.a", Bytes("2"), r, cts.Token);
        positions.Add(await store.GetPositionAsync(cts.Token));
        await store.CreateAsync("task.b", Bytes("3"), cts.Token);
        positions.Add(await store.GetPositionAsync(cts.Token));
        await store.DeleteAsync("task.a", r, cts.Token);
        positions.Add(await store.GetPositionAsync(cts.Token));

        Assert.Equal(0UL, positions[0]);
        AssertStrictlyIncreasing(positions);
    }

    [Fact]
    public async Task Watch_from_zero_replays_every_change_in_order_then_delivers_live_changes()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        var ra = await store.CreateAsync("task.a", Bytes("a1"), cts.Token);
        var rb = await store.CreateAsync("task.b", Bytes("b1"), cts.Token);
        var ra2 = await store.UpdateAsync("task.a", Bytes("a2"), ra, cts.Token);
        var rbDel = await store.DeleteAsync("task.b", rb, cts.Token);

        var replayed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = CollectAsync(store.WatchAsync(0, cts.Token), 6, replayed, replayCount: 4);
        await replayed.Task.WaitAsync(cts.Token);
        var rc = await store.CreateAsync("task.c", Bytes("c1"), cts.Token);
        var ra3 = await store.UpdateAsync("task.a", Bytes("a3"), ra2, cts.Token);
        var changes = await watch.WaitAsync(cts.Token);

        Assert.Equal(
            [("task.a", ra, ChangeKind.Put, "a1"), ("task.b", rb, ChangeKind.Put, "b1"), ("task.a", ra2, ChangeKind.Put, "a2"),
             ("task.b", rbDel, ChangeKind.Delete, ""), ("task.c", rc, ChangeKind.Put, "c1"), ("task.a", ra3, ChangeKind.Put, "a3")],
            changes.Select(c => (c.Key, c.Revision, c.Kind, Text(c.Value))));
        AssertStrictlyIncreasing(changes.Select(c => c.Position));
        Assert.Equal(changes[^1].Position, await store.GetPositionAsync(cts.Token));
    }

    [Fact]
    public async Task Watch_from_a_position_returns_only_later_changes()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        var ra = await store.CreateAsync("task.a", Bytes("a1"), cts.Token);
        await store.UpdateAsync("task.a", Bytes("a2"), ra, cts.Token);
        var position = await store.GetPositionAsync(cts.Token);
        var rb = await store.CreateAsync("task.b", Bytes("b1"), cts.Token);

        var replayed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = CollectAsync(store.WatchAsync(position, cts.Token), 2, replayed, replayCount: 1);
        await replayed.Task.WaitAsync(cts.Token);
        var rc = await store.CreateAsync("task.c", Bytes("c1"), cts.Token);
        var changes = await watch.WaitAsync(cts.Token);

        Assert.Equal([("task.b", rb), ("task.c", rc)], changes.Select(c => (c.Key, c.Revision)));
        Assert.All(changes, c => Assert.True(c.Position > position));
    }

    [Fact]
    public async Task Watch_ends_when_its_token_is_cancelled()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        await store.CreateAsync("task.a", Bytes("a1"), cts.Token);
        using var watchCts = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);

        var replayed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = CollectAsync(store.WatchAsync(0, watchCts.Token), int.MaxValue, replayed, replayCount: 1);
        await replayed.Task.WaitAsync(cts.Token);
        await watchCts.CancelAsync();

        try
        {
            await watch.WaitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!cts.IsCancellationRequested)
        {
            // Ending by throwing OperationCanceledException is as good as ending quietly.
        }
    }

    [Fact]
    public async Task History_of_a_key_holds_every_revision_and_the_delete_oldest_first()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        var r1 = await store.CreateAsync("task.a", Bytes("v1"), cts.Token);
        await store.CreateAsync("task.other", Bytes("x"), cts.Token);
        var r2 = await store.UpdateAsync("task.a", Bytes("v2"), r1, cts.Token);
        var r3 = await store.DeleteAsync("task.a", r2, cts.Token);
        var r4 = await store.CreateAsync("task.a", Bytes("v3"), cts.Token);

        var history = await store.HistoryAsync("task.a", 0, cts.Token);

        Assert.Equal(
            [(r1, ChangeKind.Put, "v1"), (r2, ChangeKind.Put, "v2"), (r3, ChangeKind.Delete, ""), (r4, ChangeKind.Put, "v3")],
            history.Select(c => (c.Revision, c.Kind, Text(c.Value))));
        Assert.All(history, c => Assert.Equal("task.a", c.Key));
        AssertStrictlyIncreasing(history.Select(c => c.Position));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(80)]
    public async Task History_after_a_revision_returns_each_later_revision_once_in_order(int later)
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        var revision = await store.CreateAsync("task.a", Bytes("0"), cts.Token);
        var after = await store.UpdateAsync("task.a", Bytes("1"), revision, cts.Token);
        revision = after;
        var expected = new List<(ulong, string)>();
        for (var i = 2; i < later + 2; i++)
        {
            // Other keys between the revisions, so a key's revisions are not adjacent positions.
            await store.CreateAsync("task.other-" + i.ToString(CultureInfo.InvariantCulture), Bytes("x"), cts.Token);
            var value = i.ToString(CultureInfo.InvariantCulture);
            revision = await store.UpdateAsync("task.a", Bytes(value), revision, cts.Token);
            expected.Add((revision, value));
        }

        var history = await store.HistoryAsync("task.a", after, cts.Token);

        Assert.Equal(expected, history.Select(c => (c.Revision, Text(c.Value))));
        Assert.Empty(await store.HistoryAsync("task.a", revision, cts.Token));
    }

    [Fact]
    public async Task List_and_history_through_one_instance_include_every_write_another_instance_had_acknowledged()
    {
        // A write acknowledged to one client is in the next list or history read through any other: in a cluster, a
        // reader served by a replica that has not caught up yet must not answer for the leader.
        const int writes = 60;
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var reader = await OpenStoreAsync();
        await using var writer = await OpenSecondInstanceAsync(reader);
        var revision = await writer.CreateAsync("task.log", Bytes("0"), cts.Token);
        for (var i = 1; i <= writes; i++)
        {
            var id = "task.w-" + i.ToString("D3", CultureInfo.InvariantCulture);
            var created = await writer.CreateAsync(id, Bytes("v"), cts.Token);
            revision = await writer.UpdateAsync("task.log", Bytes(i.ToString(CultureInfo.InvariantCulture)), revision, cts.Token);

            var listed = await reader.ListAsync("task.w-", cts.Token);
            Assert.Equal(i, listed.Count);
            Assert.Equal((id, created), (listed[^1].Key, listed[^1].Revision));
            var history = await reader.HistoryAsync("task.log", 0, cts.Token);
            Assert.Equal((revision, i.ToString(CultureInfo.InvariantCulture)), (history[^1].Revision, Text(history[^1].Value)));
            Assert.Equal(i + 1, history.Count);
        }
    }

    [Fact]
    public async Task A_change_written_through_a_second_instance_is_seen_by_the_first()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var first = await OpenStoreAsync();
        await using var second = await OpenSecondInstanceAsync(first);
        var r1 = await first.CreateAsync("task.a", Bytes("from-first"), cts.Token);

        var replayed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = CollectAsync(first.WatchAsync(0, cts.Token), 3, replayed, replayCount: 1);
        await replayed.Task.WaitAsync(cts.Token);
        var r2 = await second.UpdateAsync("task.a", Bytes("from-second"), r1, cts.Token);
        var rb = await second.CreateAsync("task.b", Bytes("b"), cts.Token);
        var changes = await watch.WaitAsync(cts.Token);

        Assert.Equal([("task.a", r1), ("task.a", r2), ("task.b", rb)], changes.Select(c => (c.Key, c.Revision)));
        var entry = await first.GetAsync("task.a", cts.Token);
        Assert.NotNull(entry);
        Assert.Equal("from-second", Text(entry.Value));
        Assert.Equal(r2, entry.Revision);
        Assert.Equal(["task.a", "task.b"], (await first.ListAsync("task.", cts.Token)).Select(e => e.Key));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(
            async () => await first.UpdateAsync("task.a", Bytes("stale"), r1, cts.Token));
    }

    [Fact]
    public async Task Racing_creates_on_two_instances_give_exactly_one_winner_per_key()
    {
        const int writers = 8;
        const int keys = 50;
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var first = await OpenStoreAsync();
        await using var second = await OpenSecondInstanceAsync(first);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var racers = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var store = w % 2 == 0 ? first : second;
            var won = new List<string>();
            var lost = new List<ConcurrencyConflictException>();
            await gate.Task.WaitAsync(cts.Token);
            foreach (var k in Enumerable.Range(0, keys).OrderBy(k => ((k * 7919) + (w * 31)) % keys))
            {
                var key = "task.race-" + k.ToString("D3", CultureInfo.InvariantCulture);
                try
                {
                    await store.CreateAsync(key, Bytes("writer-" + w.ToString(CultureInfo.InvariantCulture)), cts.Token);
                    won.Add(key);
                }
                catch (ConcurrencyConflictException ex)
                {
                    lost.Add(ex);
                }
            }

            return (Writer: w, Won: won, Lost: lost);
        }, cts.Token)).ToList();
        gate.SetResult();
        var results = await Task.WhenAll(racers).WaitAsync(cts.Token);

        var winners = results.SelectMany(r => r.Won.Select(k => (Key: k, r.Writer))).ToList();
        Assert.Equal(keys, winners.Count);
        Assert.Equal(keys, winners.Select(x => x.Key).Distinct().Count());
        var losses = results.SelectMany(r => r.Lost).ToList();
        Assert.Equal(keys * (writers - 1), losses.Count);
        Assert.All(losses, ex => Assert.Equal(0UL, ex.ExpectedRevision));
        foreach (var (key, writer) in winners)
        {
            var entry = await first.GetAsync(key, cts.Token);
            Assert.NotNull(entry);
            Assert.Equal("writer-" + writer.ToString(CultureInfo.InvariantCulture), Text(entry.Value));
        }
    }

    [Fact]
    public async Task Concurrent_read_and_compare_and_swap_increments_lose_no_update()
    {
        const int writers = 8;
        const int incrementsPerWriter = 50;
        const string key = "task.counter";
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var first = await OpenStoreAsync();
        await using var second = await OpenSecondInstanceAsync(first);
        var created = await first.CreateAsync(key, Bytes("0"), cts.Token);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var incrementers = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var store = w % 2 == 0 ? first : second;
            var revisions = new List<ulong>();
            await gate.Task.WaitAsync(cts.Token);
            for (var i = 0; i < incrementsPerWriter; i++)
            {
                while (true)
                {
                    var entry = await store.GetAsync(key, cts.Token) ?? throw new InvalidOperationException("counter vanished");
                    var next = int.Parse(Text(entry.Value), CultureInfo.InvariantCulture) + 1;
                    try
                    {
                        revisions.Add(await store.UpdateAsync(key, Bytes(next.ToString(CultureInfo.InvariantCulture)), entry.Revision, cts.Token));
                        break;
                    }
                    catch (ConcurrencyConflictException)
                    {
                        // Lost the race: re-read and decide again.
                    }
                }
            }

            return revisions;
        }, cts.Token)).ToList();
        gate.SetResult();
        var revisions = (await Task.WhenAll(incrementers).WaitAsync(cts.Token)).SelectMany(r => r).ToList();

        const int total = writers * incrementsPerWriter;
        Assert.Equal("400", Text((await first.GetAsync(key, cts.Token))!.Value));
        Assert.Equal("400", Text((await second.GetAsync(key, cts.Token))!.Value));
        Assert.Equal(total, revisions.Distinct().Count());

        var history = await first.HistoryAsync(key, 0, cts.Token);
        Assert.Equal(total + 1, history.Count);
        Assert.Equal(Enumerable.Range(0, total + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)), history.Select(c => Text(c.Value)));
        Assert.Equal(revisions.Append(created).Order(), history.Select(c => c.Revision));

        var watched = await CollectAsync(first.WatchAsync(0, cts.Token), total + 1, null, 0).WaitAsync(cts.Token);
        Assert.Equal(Enumerable.Range(0, total + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)), watched.Select(c => Text(c.Value)));
        AssertStrictlyIncreasing(watched.Select(c => c.Position));
    }

    [Fact]
    public async Task Watches_see_every_concurrent_change_exactly_once_in_position_order()
    {
        const int writers = 8;
        const int writesPerWriter = 25;
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var first = await OpenStoreAsync();
        await using var second = await OpenSecondInstanceAsync(first);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Each writer creates, updates and deletes its own keys and also fights over shared ones,
        // so conflicts happen and only the committed changes must show up.
        var writes = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var store = w % 2 == 0 ? first : second;
            var committed = new List<(string Key, ulong Revision)>();
            await gate.Task.WaitAsync(cts.Token);
            for (var i = 0; i < writesPerWriter; i++)
            {
                var own = $"task.w{w}-{i % 5}";
                var entry = await store.GetAsync(own, cts.Token);
                var revision = entry is null
                    ? await store.CreateAsync(own, Bytes($"{w}:{i}"), cts.Token)
                    : i % 3 == 0
                        ? await store.DeleteAsync(own, entry.Revision, cts.Token)
                        : await store.UpdateAsync(own, Bytes($"{w}:{i}"), entry.Revision, cts.Token);
                committed.Add((own, revision));

                var shared = $"task.shared-{i % 3}";
                try
                {
                    var current = await store.GetAsync(shared, cts.Token);
                    var sharedRevision = current is null
                        ? await store.CreateAsync(shared, Bytes($"{w}:{i}"), cts.Token)
                        : await store.UpdateAsync(shared, Bytes($"{w}:{i}"), current.Revision, cts.Token);
                    committed.Add((shared, sharedRevision));
                }
                catch (ConcurrencyConflictException)
                {
                    // Losing a shared write is expected; it must simply not appear in the log.
                }
            }

            return committed;
        }, cts.Token)).ToList();

        // A live watch started before the race must see the same log as a replay after it.
        const string endKey = "task.zz-end";
        var liveChanges = new List<RecordChange>();
        var liveWatch = Task.Run(async () =>
        {
            await foreach (var change in first.WatchAsync(0, cts.Token))
            {
                liveChanges.Add(change);
                if (change.Key == endKey)
                {
                    break;
                }
            }
        }, cts.Token);
        gate.SetResult();
        var committed = (await Task.WhenAll(writes).WaitAsync(cts.Token)).SelectMany(c => c).ToList();

        var replay = await CollectAsync(second.WatchAsync(0, cts.Token), committed.Count, null, 0).WaitAsync(cts.Token);
        Assert.Equal(committed.Count, committed.Distinct().Count());
        Assert.Equal(committed.OrderBy(c => c.Revision), replay.Select(c => (c.Key, c.Revision)));
        AssertStrictlyIncreasing(replay.Select(c => c.Position));
        Assert.Equal(replay[^1].Position, await first.GetPositionAsync(cts.Token));

        // A last write tells the live watcher where the race ended.
        var endRevision = await first.CreateAsync(endKey, Bytes("end"), cts.Token);
        await liveWatch.WaitAsync(cts.Token);
        Assert.Equal(
            replay.Select(c => (c.Position, c.Key, c.Revision, c.Kind)).Append((liveChanges[^1].Position, endKey, endRevision, ChangeKind.Put)),
            liveChanges.Select(c => (c.Position, c.Key, c.Revision, c.Kind)));
    }

    [Fact]
    public async Task The_volatile_key_space_compares_and_swaps_lists_and_removes_without_touching_the_change_log()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var store = await OpenStoreAsync();
        var second = await OpenSecondInstanceAsync(store);
        var live = DurableLiveness.For(store);
        var other = DurableLiveness.For(second);
        await store.CreateAsync("task.anchor", Bytes("a"), cts.Token);
        var position = await store.GetPositionAsync(cts.Token);

        var first = await live.PutLiveAsync("live.ada", Bytes("1"), 0, cts.Token);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await other.PutLiveAsync("live.ada", Bytes("x"), 0, cts.Token));
        var next = await other.PutLiveAsync("live.ada", Bytes("2"), first, cts.Token);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await live.PutLiveAsync("live.ada", Bytes("stale"), first, cts.Token));
        Assert.Equal(("2", next), (Text((await live.GetLiveAsync("live.ada", cts.Token))!.Value), (await live.GetLiveAsync("live.ada", cts.Token))!.Revision));
        await live.PutLiveAsync("live.bob", Bytes("b"), 0, cts.Token);
        await live.PutLiveAsync("other.key", Bytes("o"), 0, cts.Token);
        Assert.Equal(["live.ada", "live.bob"], (await other.ListLiveAsync("live.", cts.Token)).Select(e => e.Key).Order(StringComparer.Ordinal));

        await other.RemoveLiveAsync("live.ada", cts.Token);
        await other.RemoveLiveAsync("live.never", cts.Token);
        Assert.Null(await live.GetLiveAsync("live.ada", cts.Token));
        await live.PutLiveAsync("live.ada", Bytes("again"), 0, cts.Token);

        // None of it is a change: the durable log and its keys are as they were.
        Assert.Equal(position, await store.GetPositionAsync(cts.Token));
        Assert.Null(await store.GetAsync("live.bob", cts.Token));
        Assert.Equal(["task.anchor"], (await store.ListAsync("task.", cts.Token)).Select(e => e.Key));
    }

    /// <summary>UTF-8 bytes of a string.</summary>
    protected static ReadOnlyMemory<byte> Bytes(string value) => Encoding.UTF8.GetBytes(value);

    /// <summary>A value as a UTF-8 string.</summary>
    protected static string Text(ReadOnlyMemory<byte> value) => Encoding.UTF8.GetString(value.Span);

    /// <summary>Reads <paramref name="count"/> changes, completing <paramref name="replayed"/> after the first <paramref name="replayCount"/>.</summary>
    protected static async Task<List<RecordChange>> CollectAsync(
        IAsyncEnumerable<RecordChange> watch, int count, TaskCompletionSource? replayed, int replayCount)
    {
        var changes = new List<RecordChange>();
        if (replayCount == 0)
        {
            replayed?.TrySetResult();
        }

        await foreach (var change in watch.ConfigureAwait(false))
        {
            changes.Add(change);
            if (changes.Count == replayCount)
            {
                replayed?.TrySetResult();
            }

            if (changes.Count >= count)
            {
                break;
            }
        }

        return changes;
    }

    /// <summary>Asserts a sequence is strictly increasing.</summary>
    protected static void AssertStrictlyIncreasing(IEnumerable<ulong> values)
    {
        var list = values.ToList();
        for (var i = 1; i < list.Count; i++)
        {
            Assert.True(list[i] > list[i - 1], $"value {list[i]} at index {i} does not follow {list[i - 1]}");
        }
    }
}
