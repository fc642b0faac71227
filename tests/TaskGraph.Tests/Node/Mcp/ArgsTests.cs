using System.Text.Json;
using TaskGraph.Core.Errors;
using TaskGraph.Node.Mcp;

namespace TaskGraph.Tests.Node.Mcp;

[Trait("Lane", "fast")]
public sealed class ArgsTests
{
    [Theory]
    [InlineData("7", 7)]
    [InlineData("\"8\"", 8)]
    [InlineData("42", 10)]
    [InlineData("-3", 0)]
    [InlineData("\"urgent\"", 5)]
    [InlineData("null", 5)]
    public void Priority_accepts_ints_and_numeric_strings_clamped_and_defaults_non_numeric_to_5(string json, int expected) =>
        Assert.Equal(expected, Args.Priority(Json(json)));

    [Theory]
    [InlineData("{}")]
    [InlineData("[1]")]
    [InlineData("true")]
    public void Priority_of_the_wrong_json_type_is_invalid_with_the_field(string json)
    {
        var ex = Assert.Throws<TaskGraphException>(() => Args.Priority(Json(json)));
        Assert.Equal(ErrorCodes.InvalidFieldValue, ex.Code);
        Assert.Equal("priority", ex.Field);
    }

    [Fact]
    public void String_or_array_accepts_both_shapes()
    {
        Assert.Equal(["a"], Args.StringOrArray(Json("\"a\""), "task"));
        Assert.Equal(["a", "b"], Args.StringOrArray(Json("[\"a\",\"b\"]"), "task"));
        Assert.Empty(Args.StringOrArray(null, "task"));
        Assert.Equal("tags", Assert.Throws<TaskGraphException>(() => Args.StringOrArray(Json("5"), "tags")).Field);
        Assert.Equal(ErrorCodes.MissingRequiredField, Assert.Throws<TaskGraphException>(() => Args.StringOrArray(Json("[]"), "task", required: true)).Code);
    }

    [Fact]
    public void Int_clamps_and_coerces_numeric_strings()
    {
        Assert.Equal(100, Args.WholeNumber(Json("5000"), "limit", 50, 1, 100));
        Assert.Equal(20, Args.WholeNumber(Json("\"20\""), "limit", 50, 1, 100));
        Assert.Equal(50, Args.WholeNumber(null, "limit", 50, 1, 100));
        Assert.Equal("limit", Assert.Throws<TaskGraphException>(() => Args.WholeNumber(Json("\"many\""), "limit", 50)).Field);
    }

    [Fact]
    public void Strings_are_required_and_length_checked()
    {
        Assert.Equal(ErrorCodes.MissingRequiredField, Assert.Throws<TaskGraphException>(() => Args.RequiredString((string?)"  ", "title")).Code);
        var tooLong = Assert.Throws<TaskGraphException>(() => Args.RequiredString((string?)"abcdef", "title", maxLength: 3));
        Assert.Equal((ErrorCodes.InvalidFieldValue, "title"), (tooLong.Code, tooLong.Field));
        Assert.Equal("12", Args.RequiredString(Json("12"), "id"));
        Assert.Equal("title", Assert.Throws<TaskGraphException>(() => Args.OptionalString(Json("{}"), "title")).Field);
    }

    [Fact]
    public void Bool_accepts_json_and_string_booleans()
    {
        Assert.True(Args.Bool(Json("true"), "ready"));
        Assert.False(Args.Bool(Json("\"false\""), "ready", defaultValue: true));
        Assert.True(Args.Bool(null, "ready", defaultValue: true));
        Assert.Equal("ready", Assert.Throws<TaskGraphException>(() => Args.Bool(Json("1"), "ready")).Field);
    }

    [Fact]
    public void Worker_id_comes_from_worker_id_or_the_legacy_agent()
    {
        Assert.Equal("w1", Args.WorkerId("w1", "a1"));
        Assert.Equal("a1", Args.WorkerId(null, "a1"));
        Assert.Null(Args.WorkerId((string?)null, null, required: false));
        var ex = Assert.Throws<TaskGraphException>(() => Args.WorkerId((string?)null, null));
        Assert.Equal((ErrorCodes.MissingRequiredField, "worker_id"), (ex.Code, ex.Field));
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
