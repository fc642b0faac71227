using System.Buffers;
using System.Text.Json;

namespace TaskGraph.Core.Migration;

/// <summary>Writes a snapshot (<see cref="SnapshotFormat"/>) line by line: the header, entries, then the trailer.</summary>
public sealed class SnapshotWriter : IAsyncDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly Stream _stream;
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 16);
    private readonly Utf8JsonWriter _json;
    private long _records;
    private long _blobs;
    private bool _ended;

    /// <summary>Creates a writer that owns <paramref name="stream"/> and writes <paramref name="header"/> first.</summary>
    public SnapshotWriter(Stream stream, SnapshotHeader header)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(header);
        _stream = stream;
        _json = new Utf8JsonWriter(_buffer);
        _json.WriteStartObject();
        _json.WriteString("format", SnapshotFormat.Name);
        _json.WriteNumber("version", header.Version);
        _json.WriteString("graph", header.Graph);
        _json.WriteString("exported_at", header.ExportedAt);
        _json.WriteBoolean("history", header.History);
        _json.WriteBoolean("workers", header.Workers);
        _json.WriteEndObject();
        EndLine();
    }

    /// <summary>Records (puts and deletes) written so far.</summary>
    public long Records => _records;

    /// <summary>Blobs written so far.</summary>
    public long Blobs => _blobs;

    /// <summary>Writes one entry.</summary>
    public async ValueTask WriteAsync(SnapshotEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _json.WriteStartObject();
        switch (entry.Kind)
        {
            case SnapshotEntryKind.Put:
                _json.WriteString("put", entry.Key);
                _json.WriteNumber("pos", entry.Position);
                _json.WritePropertyName("value");
                _json.WriteRawValue(entry.Value.Span, skipInputValidation: false);
                _records++;
                break;
            case SnapshotEntryKind.Delete:
                _json.WriteString("del", entry.Key);
                _json.WriteNumber("pos", entry.Position);
                _records++;
                break;
            default:
                _json.WriteString("blob", entry.Key);
                _json.WriteBase64String("data", entry.Value.Span);
                _blobs++;
                break;
        }

        _json.WriteEndObject();
        EndLine();
        if (_buffer.WrittenCount >= 1 << 16)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the trailer and flushes; a snapshot without it reads as truncated.</summary>
    public async ValueTask EndAsync(CancellationToken cancellationToken)
    {
        _json.WriteStartObject();
        _json.WriteStartObject("end");
        _json.WriteNumber("records", _records);
        _json.WriteNumber("blobs", _blobs);
        _json.WriteEndObject();
        _json.WriteEndObject();
        EndLine();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        _ended = true;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_ended)
        {
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await _json.DisposeAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private void EndLine()
    {
        _json.Flush();
        _buffer.Write(NewLine);
        _json.Reset(_buffer);
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _buffer.Clear();
    }
}
