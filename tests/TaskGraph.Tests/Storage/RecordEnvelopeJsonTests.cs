using System.Text;
using System.Text.Json;
using TaskGraph.Core.Records;

namespace TaskGraph.Tests.Storage;

/// <summary>
/// A written record leads with <c>schema</c> and <c>changed_at</c> and may end with <c>audit</c>; it decodes as the
/// record did before, and <see cref="RecordJson.ChangedAtOf"/> finds the time (null for records written before).
/// </summary>
[Trait("Lane", "fast")]
public sealed class RecordEnvelopeJsonTests
{
    private static readonly AuditStamp Stamp = new() { Principal = "bot-7", Tool = "claim" };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_written_task_leads_with_schema_and_time_and_decodes_unchanged(bool stamped)
    {
        var task = new TaskRecord { Id = "t-1", Title = "Envelope {\"changed_at\":1}", Status = "working", Owner = "bot-7" };
        var bytes = RecordJson.Serialize(task, 1_733_000_000_123, stamped ? Stamp : null);

        Assert.StartsWith("{\"schema\":1,\"changed_at\":1733000000123,\"id\":\"t-1\"", Encoding.UTF8.GetString(bytes));
        Assert.Equal(RecordJson.Serialize(task), RecordJson.Serialize(RecordJson.Deserialize<TaskRecord>(bytes)));
        Assert.Equal(1_733_000_000_123, RecordJson.ChangedAtOf(bytes));
        Assert.Equal(stamped ? Stamp : null, RecordJson.StampOf(bytes));
        using var _ = JsonDocument.Parse(bytes);
    }

    [Fact]
    public void An_empty_record_and_a_record_without_envelope_are_both_valid()
    {
        var empty = RecordJson.Serialize(new Dictionary<string, string>(), 5, Stamp);
        Assert.Equal("{\"schema\":1,\"changed_at\":5,\"audit\":{\"principal\":\"bot-7\",\"tool\":\"claim\"}}", Encoding.UTF8.GetString(empty));
        Assert.Equal("{}", Encoding.UTF8.GetString(RecordJson.Serialize(new Dictionary<string, string>(), null, null)));

        // Records written before the envelope: no time, so readers fall back to the store's commit time.
        Assert.Null(RecordJson.ChangedAtOf(RecordJson.Serialize(new TaskRecord { Id = "old", Status = "pending" })));
        Assert.Null(RecordJson.ChangedAtOf(ReadOnlyMemory<byte>.Empty));
        Assert.Null(RecordJson.ChangedAtOf(Encoding.UTF8.GetBytes("{\"id\":\"x\",\"title\":{\"changed_at\":7},\"changed_at\":9}")));
    }
}
