using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Verdicts;

/// <summary>A verdict carries the decision, the score, and per layer the error, thresholds, p-value and whether it fired.</summary>
public sealed class OneOutRuleEvaluateTests
{
    private static readonly OneOutRule Rule =
        OneOutRule.Calibrate(SyntheticErrors.Layers, SyntheticErrors.Generate(seed: 30, records: 4000), 0.05, twoSided: true);

    [Fact]
    public void Layer_detail_names_the_layer_that_fired()
    {
        float[] record = [SyntheticErrors.Median(0), 100f, SyntheticErrors.Median(2)];

        var verdict = Rule.Evaluate(record, predictedClass: 7, maxProbability: 0.93);

        Assert.True(verdict.Ood);
        Assert.Equal(["conv2"], verdict.FiredLayers);
        Assert.Equal(7, verdict.PredictedClass);
        Assert.Equal(0.93, verdict.MaxProbability);
        Assert.Equal(Rule.Score(record), verdict.Score);
        for (int l = 0; l < 3; l++)
        {
            var layer = verdict.Layers[l];
            Assert.Equal(Rule.Layers[l], layer.Layer);
            Assert.Equal(record[l], layer.Error);
            Assert.Equal(Rule.Lower[l], layer.Lower);
            Assert.Equal(Rule.Upper[l], layer.Upper);
            Assert.Equal(Rule.Distributions[l].PValue(record[l], twoSided: true), layer.PValue);
            Assert.Equal(layer.Error < layer.Lower || layer.Error > layer.Upper, layer.Fired);
        }
    }

    [Fact]
    public void The_verdict_agrees_with_IsOod_on_every_record()
    {
        float[][] records = SyntheticErrors.Generate(seed: 31, records: 2000, logShift: 0.4);
        int ood = 0;

        for (int r = 0; r < 2000; r++)
        {
            float[] record = SyntheticErrors.Record(records, r);
            var verdict = Rule.Evaluate(record, 0, 1);
            Assert.Equal(Rule.IsOod(record), verdict.Ood);
            Assert.Equal(verdict.Layers.Any(l => l.Fired), verdict.Ood);
            ood += verdict.Ood ? 1 : 0;
        }
        Assert.InRange(ood, 100, 1999); // the shift makes more than the 5% false positives fire
    }

    [Fact]
    public void A_NaN_error_fires_its_layer()
    {
        var verdict = Rule.Evaluate([SyntheticErrors.Median(0), SyntheticErrors.Median(1), float.NaN], 0, 1);

        Assert.True(verdict.Ood);
        Assert.Equal(["fc1"], verdict.FiredLayers);
    }

    [Fact]
    public void The_wrong_number_of_layer_errors_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Rule.IsOod([1f, 2f]));

        Assert.Contains("Expected 3 layer errors", e.Message);
    }
}
