using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Verdicts;

/// <summary>
/// The wire format written from a batch's arrays reads back, through the wire records, into exactly the batch's own
/// verdicts (a NaN error included, written as a named literal); without detail each record carries no layers.
/// </summary>
public sealed class VerdictJsonWriterTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static VerdictBatch Batch()
    {
        float[][] heldOut = SyntheticErrors.Generate(seed: 11, records: 2000);
        var rule = OneOutRule.Calibrate(SyntheticErrors.Layers, heldOut, 0.05, twoSided: true);
        const int records = 50;
        float[][] probe = SyntheticErrors.Generate(seed: 12, records: records, logShift: 0.5);
        var errors = new float[records * rule.Layers.Count];
        for (var r = 0; r < records; r++)
            for (var l = 0; l < rule.Layers.Count; l++) errors[r * rule.Layers.Count + l] = probe[l][r];
        errors[4] = float.NaN;
        return VerdictBatch.Evaluate(rule, null, records, errors, [.. Enumerable.Range(0, records).Select(r => r % 3)], [.. Enumerable.Range(0, records).Select(r => 1f / (1 + r))]);
    }

    private static (LayerThresholds[] Thresholds, RecordVerdict[] Verdicts) WriteAndRead(VerdictBatch batch, bool layers)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("layers");
            VerdictJsonWriter.WriteThresholds(writer, batch);
            writer.WriteStartArray("verdicts");
            for (var r = 0; r < batch.Count; r++) VerdictJsonWriter.WriteVerdict(writer, batch, r, layers);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return (document.RootElement.GetProperty("layers").Deserialize<LayerThresholds[]>(Json)!, document.RootElement.GetProperty("verdicts").Deserialize<RecordVerdict[]>(Json)!);
    }

    [Fact]
    public void With_layers_every_verdict_reads_back_exactly()
    {
        var batch = Batch();
        var (thresholds, verdicts) = WriteAndRead(batch, layers: true);

        Assert.Equal(batch.Layers, thresholds.Select(t => t.Layer));
        for (var r = 0; r < batch.Count; r++)
        {
            var expected = batch[r];
            var actual = verdicts[r].ToVerdict(thresholds);
            Assert.Equal((expected.Ood, expected.Score, expected.PValue, expected.PredictedClass, expected.MaxProbability), (actual.Ood, actual.Score, actual.PValue, actual.PredictedClass, actual.MaxProbability));
            Assert.Equal(expected.Layers, actual.Layers);
            Assert.Equal(batch.Layers[batch.DecidingLayers[r]], verdicts[r].DecidingLayer);
        }
        Assert.True(float.IsNaN(verdicts[1].Layers![1].Error));
    }

    [Fact]
    public void Without_layers_a_verdict_has_no_per_layer_detail_and_cannot_be_expanded()
    {
        var batch = Batch();
        var (thresholds, verdicts) = WriteAndRead(batch, layers: false);

        Assert.All(verdicts, v => Assert.Null(v.Layers));
        Assert.Equal(batch.Ood.ToArray(), verdicts.Select(v => v.Ood));
        Assert.Throws<InvalidOperationException>(() => verdicts[0].ToVerdict(thresholds));
    }
}
