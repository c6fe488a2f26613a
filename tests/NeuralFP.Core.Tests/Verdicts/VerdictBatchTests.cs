using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Verdicts;

/// <summary>
/// A batch's verdicts held as arrays are the rule's own verdicts record by record (with and without an integration),
/// its deciding layers are <see cref="DecidingLayer.Strongest"/>'s under the one-out rule and the layer behind the
/// integrated score's largest term under an integration, and evaluating a batch allocates nothing per record.
/// </summary>
public sealed class VerdictBatchTests
{
    private const int Records = 600;

    private static (OneOutRule Rule, float[] Errors, int[] Classes, float[] Probabilities) Setup(bool twoSided)
    {
        float[][] heldOut = SyntheticErrors.Generate(seed: 7, records: 2000);
        var rule = OneOutRule.Calibrate(SyntheticErrors.Layers, heldOut, 0.05, twoSided);
        float[][] probe = SyntheticErrors.Generate(seed: 8, records: Records, logShift: 0.4);
        var errors = new float[Records * rule.Layers.Count];
        for (var r = 0; r < Records; r++)
            for (var l = 0; l < rule.Layers.Count; l++) errors[r * rule.Layers.Count + l] = probe[l][r];
        errors[5] = float.NaN;
        return (rule, errors, [.. Enumerable.Range(0, Records).Select(r => r % 10)], [.. Enumerable.Range(0, Records).Select(r => 0.5f + r % 7 / 20f)]);
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, null)]
    [InlineData(false, IntegrationKinds.Gaussian)]
    [InlineData(false, IntegrationKinds.Fisher)]
    public void Each_record_is_the_rules_verdict_and_its_deciding_layer(bool twoSided, string? integrationKind)
    {
        var (rule, errors, classes, probabilities) = Setup(twoSided);
        var integration = integrationKind is null ? null : LayerIntegration.Calibrate(integrationKind, rule, SyntheticErrors.Generate(seed: 7, records: 2000), 0.05);
        var batch = VerdictBatch.Evaluate(rule, integration, Records, (float[])errors.Clone(), classes, probabilities);

        Assert.Equal(Records, batch.Count);
        var ood = 0;
        for (var r = 0; r < Records; r++)
        {
            var recordErrors = errors.AsSpan(r * rule.Layers.Count, rule.Layers.Count);
            var expected = rule.Evaluate(recordErrors, classes[r], probabilities[r]);
            var deciding = DecidingLayer.Strongest(expected).Layer;
            if (integration is not null)
            {
                var score = integration.Score(rule, recordErrors, classes[r], out var largest);
                expected = expected with { Ood = integration.IsOod(score), Score = score, PValue = integration.PValue(score) };
                deciding = rule.Layers[largest];
            }
            var actual = batch[r];
            Assert.Equal((expected.Ood, expected.Score, expected.PValue, expected.PredictedClass, expected.MaxProbability), (actual.Ood, actual.Score, actual.PValue, actual.PredictedClass, actual.MaxProbability));
            Assert.Equal(expected.Layers, actual.Layers);
            Assert.Equal(deciding, batch.Layers[batch.DecidingLayers[r]]);
            if (expected.Ood) ood++;
        }
        Assert.Equal(ood, batch.OodCount);
        Assert.InRange(ood, 1, Records - 1);
    }

    [Theory]
    [InlineData(IntegrationKinds.Gaussian)]
    [InlineData(IntegrationKinds.GaussianPerClass)]
    [InlineData(IntegrationKinds.NeighboursPerClass)]
    public void Under_a_density_the_statistic_far_out_decides_even_when_no_layer_fired_and_maps_to_its_layer(string kind)
    {
        // Three layers' errors and one more statistic (say, the input's regional error), calibrated together.
        var heldOut = SyntheticErrors.Generate(seed: 7, records: 2000);
        var extra = SyntheticErrors.Generate(seed: 17, records: 2000)[0];
        var rule = OneOutRule.Calibrate(SyntheticErrors.Layers, heldOut, 0.05, twoSided: false);
        var classes = Enumerable.Range(0, 2000).Select(r => r % 4).ToArray();
        var integration = LayerIntegration.Calibrate(kind, rule, [.. heldOut, extra], 0.05, ["regional"], classes);

        // Typical layer errors (their medians, no layer near firing), the extra statistic e^4 times its median.
        float[] row = [SyntheticErrors.Median(0), SyntheticErrors.Median(1), SyntheticErrors.Median(2), SyntheticErrors.Median(0) * MathF.Exp(4)];
        var mapped = VerdictBatch.Evaluate(rule, integration, 1, (float[])row.Clone(), [1], [0.9f], statistics: 4, statisticLayers: [0, 1, 2, 2]);
        Assert.True(mapped.Ood[0]);
        Assert.DoesNotContain(true, mapped.Fired(0).ToArray());
        Assert.Equal(2, mapped.DecidingLayers[0]);

        // A statistic of no fingerprinted layer leaves the one-out rule's choice.
        var unmapped = VerdictBatch.Evaluate(rule, integration, 1, (float[])row.Clone(), [1], [0.9f], statistics: 4);
        Assert.Equal(DecidingLayer.Strongest(unmapped[0]).Layer, unmapped.Layers[unmapped.DecidingLayers[0]]);

        // The same record with the second layer's error far out instead: that layer decides.
        float[] second = [SyntheticErrors.Median(0), SyntheticErrors.Median(1) * MathF.Exp(6), SyntheticErrors.Median(2), SyntheticErrors.Median(0)];
        Assert.Equal(1, VerdictBatch.Evaluate(rule, integration, 1, second, [1], [0.9f], statistics: 4, statisticLayers: [0, 1, 2, 2]).DecidingLayers[0]);
    }

    [Fact]
    public void Evaluating_a_batch_allocates_no_object_per_record()
    {
        var (rule, errors, classes, probabilities) = Setup(twoSided: false);
        VerdictBatch.Evaluate(rule, null, Records, (float[])errors.Clone(), classes, probabilities); // JIT first
        var small = Allocated(rule, errors, classes, probabilities, 10);
        var large = Allocated(rule, errors, classes, probabilities, Records);
        // The arrays grow with the batch (about 40 bytes per record for 3 layers); objects per record would add far more.
        Assert.True((large - small) / (double)(Records - 10) < 64, $"{(large - small) / (double)(Records - 10):F1} bytes per record");
    }

    private static long Allocated(OneOutRule rule, float[] errors, int[] classes, float[] probabilities, int records)
    {
        var e = errors[..(records * rule.Layers.Count)];
        var c = classes[..records];
        var p = probabilities[..records];
        var before = GC.GetAllocatedBytesForCurrentThread();
        VerdictBatch.Evaluate(rule, null, records, e, c, p);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
