using System.IO.Pipelines;

namespace TaskGraph.Node.Hosting;

/// <summary>
/// Owns the process's stdin from the first moment: copies it into a pipe that the MCP transport reads later, and
/// signals <see cref="Closed"/> when stdin ends. So a node that is still starting (opening its store, waiting for NATS)
/// stops as soon as its client has gone, without reading a byte of the protocol itself.
/// </summary>
public sealed class StdinPump : IAsyncDisposable
{
    private readonly Pipe _pipe = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly Stream _input;

    /// <summary>Starts copying <paramref name="input"/> (the process's stdin by default).</summary>
    public StdinPump(Stream? input = null)
    {
        _input = input ?? Console.OpenStandardInput();
        Input = _pipe.Reader.AsStream();

        // Never awaited: a read blocked on an open stdin must not hold up the process's exit.
        _ = Task.Run(PumpAsync);
    }

    /// <summary>Cancelled once stdin has reached its end (the client closed it or died).</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>What the client sent, for the MCP transport; it ends where stdin ended.</summary>
    public Stream Input { get; }

    public async ValueTask DisposeAsync()
    {
        await _input.DisposeAsync();
        _closed.Dispose();
    }

    private async Task PumpAsync()
    {
        try
        {
            await _input.CopyToAsync(_pipe.Writer);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // A broken stdin is a closed one.
        }
        finally
        {
            await _pipe.Writer.CompleteAsync();
            try
            {
                await _closed.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // Disposed while the process was ending.
            }
        }
    }
}
