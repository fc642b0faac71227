using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace TaskGraph.Bus.KeyValue;

/// <summary>
/// Writes KV messages into a named JetStream domain: a request to <c>$JS.&lt;domain&gt;.API.$KV.&lt;bucket&gt;.&lt;key&gt;</c>,
/// which the hub maps onto the key's subject, with <c>Nats-Expected-Last-Subject-Sequence</c> for compare-and-swap.
/// NATS.Net 3.3.2's KV writes ignore the domain (from a leaf they time out or land in a same-named local bucket), and a
/// JetStream publish that finds no responders reports it only after 250 ms; a plain request reports it at once.
/// </summary>
internal sealed class NatsDomainWriter(NatsConnection connection, string domain, TimeSpan timeout)
{
    private const string ExpectedLastSubjectSequence = "Nats-Expected-Last-Subject-Sequence";
    private static readonly NatsRawSerializer<ReadOnlyMemory<byte>> RawMemory = NatsRawSerializer<ReadOnlyMemory<byte>>.Default;
    private readonly string _prefix = "$JS." + domain + ".API.";

    /// <summary>The domain written to.</summary>
    public string Domain => domain;

    /// <summary>
    /// Publishes <paramref name="value"/> on <paramref name="subject"/> (a <c>$KV.</c> subject) in the domain; with
    /// <paramref name="expectedLastSubjectSequence"/> (0 = the subject must have no message) the stream checks it.
    /// Throws <see cref="NatsNoRespondersException"/> when nothing in the domain answers (nothing was stored).
    /// </summary>
    public async ValueTask<PubAckResponse> PublishAsync(
        string subject, ReadOnlyMemory<byte> value, ulong? expectedLastSubjectSequence, NatsHeaders? headers, CancellationToken cancellationToken)
    {
        var sent = new NatsHeaders();
        if (headers is not null)
        {
            foreach (var (name, values) in headers)
            {
                sent[name] = values;
            }
        }

        if (expectedLastSubjectSequence is { } expected)
        {
            sent[ExpectedLastSubjectSequence] = expected.ToString(CultureInfo.InvariantCulture);
        }

        var reply = await connection.RequestAsync(
            _prefix + subject,
            value,
            sent,
            RawMemory,
            NatsJSJsonSerializer<PubAckResponse>.Default,
            replyOpts: new NatsSubOpts { Timeout = timeout },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (reply.HasNoResponders)
        {
            throw new NatsNoRespondersException();
        }

        return reply.Data ?? throw new NatsException($"JetStream domain {domain} answered a write on {subject} with no acknowledgement.");
    }
}
