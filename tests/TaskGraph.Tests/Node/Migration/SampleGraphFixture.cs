namespace TaskGraph.Tests.Node.Migration;

/// <summary>The <see cref="SampleGraph"/> of 1,000 tasks, built once for the tests of a class, which only read it.</summary>
public sealed class SampleGraphFixture : IAsyncLifetime
{
    /// <summary>The project directory: <c>task-graph/tasks.db</c> and <c>task-graph/media</c>.</summary>
    public string Work { get; private set; } = string.Empty;

    /// <summary>The graph's SQLite file.</summary>
    public string Db => Path.Combine(Work, "task-graph", "tasks.db");

    /// <inheritdoc />
    public async ValueTask InitializeAsync() => Work = await SampleGraph.BuildAsync(EndToEnd.EndToEnd.Timeout(300));

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
