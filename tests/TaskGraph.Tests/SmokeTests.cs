using TaskGraph.Core.Storage;

namespace TaskGraph.Tests;

[Trait("Lane", "fast")]
public sealed class RecordKeysTests
{
    [Theory]
    [InlineData("src/main.rs")]
    [InlineData("lock:git-commit")]
    [InlineData("weird id with spaces.and.dots")]
    [InlineData("ünïcödé")]
    public void Encoded_keys_round_trip_and_stay_in_the_kv_charset(string value)
    {
        var token = RecordKeys.Encode(value);
        Assert.Matches("^[-_=a-zA-Z0-9]+$", token);
        Assert.Equal(value, RecordKeys.Decode(token));
    }
}
