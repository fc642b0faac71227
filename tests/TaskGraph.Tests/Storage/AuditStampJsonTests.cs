using TaskGraph.Core.Records;

namespace TaskGraph.Tests.Storage;

/// <summary>A stamped record is the record's own JSON plus <c>audit</c>: it decodes as before and yields its stamp.</summary>
[Trait("Lane", "fast")]
public sealed class AuditStampJsonTests
{
    private static readonly AuditStamp Stamp = new() { Principal = "bot-7", Role = "worker", Tool = "claim", Digest = "0123456789abcdef" };

    [Fact]
    public void A_stamped_task_decodes_unchanged_and_carries_its_stamp()
    {
        var task = new TaskRecord { Id = "t-1", Title = "Stamped \"quoted\" }", Status = "working", Owner = "bot-7", Tags = ["a"] };
        var bytes = RecordJson.SerializeStamped(task, Stamp);

        Assert.Equal(RecordJson.Serialize(task), RecordJson.Serialize(RecordJson.Deserialize<TaskRecord>(bytes)));
        Assert.Equal(Stamp, RecordJson.StampOf(bytes));
        Assert.Null(RecordJson.StampOf(RecordJson.Serialize(task)));
    }

    [Fact]
    public void An_empty_record_gets_the_stamp_without_a_leading_comma()
    {
        var bytes = RecordJson.SerializeStamped(new Dictionary<string, string>(), Stamp);
        Assert.Equal(Stamp, RecordJson.StampOf(bytes));
        Assert.Throws<System.Text.Json.JsonException>(() => RecordJson.SerializeStamped(new[] { 1 }, Stamp));
    }
}
