using System.Buffers;
using System.Text.Json;
using NeuralFP.Application.Serialization;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Application.Jobs;

/// <summary>
/// The contents of <c>results/{batchId}.json</c>: the summary and the verdicts in the HTTP answer's wire format with
/// per-layer detail (a stored result is read by machines that may want everything): the layers' thresholds once,
/// each verdict with its per-layer evidence.
/// </summary>
public sealed record BatchResultDocument(BatchSummary Summary, string Detail, IReadOnlyList<LayerThresholds> Layers, IReadOnlyList<RecordVerdict> Verdicts)
{
    /// <summary>The document's bytes, written from the scored batch's arrays (no object per record).</summary>
    public static byte[] Write(BatchSummary summary, VerdictBatch verdicts)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(verdicts);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("summary");
            JsonSerializer.Serialize(writer, summary, JsonDefaults.Options);
            writer.WriteString("detail", "layers");
            writer.WritePropertyName("layers");
            VerdictJsonWriter.WriteThresholds(writer, verdicts);
            writer.WriteStartArray("verdicts");
            for (var r = 0; r < verdicts.Count; r++) VerdictJsonWriter.WriteVerdict(writer, verdicts, r, layers: true);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
