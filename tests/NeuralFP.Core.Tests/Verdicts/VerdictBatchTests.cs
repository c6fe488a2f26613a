using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Verdicts;

/// <summary>
/// A batch's verdicts held as arrays are the rule's own verdicts record by record (with and without an integration),
/// its deciding layers are <see cref="DecidingLayer.Strongest"/>'s, and evaluating a batch allocates nothing per record.
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
            if (integration is not null)
            {
                var score = integration.Score(rule, recordErrors);
                expected = expected with { Ood = integration.IsOod(score), Score = score, PValue = integration.PValue(score) };
            }
            var actual = batch[r];
            Assert.Equal((expected.Ood, expected.Score, expected.PValue, expected.PredictedClass, expected.MaxProbability), (actual.Ood, actual.Score, actual.PValue, actual.PredictedClass, actual.MaxProbability));
            Assert.Equal(expected.Layers, actual.Layers);
            Assert.Equal(DecidingLayer.Strongest(expected).Layer, batch.Layers[batch.DecidingLayers[r]]);
            if (expected.Ood) ood++;
        }
        Assert.Equal(ood, batch.OodCount);
        Assert.InRange(ood, 1, Records - 1);
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
