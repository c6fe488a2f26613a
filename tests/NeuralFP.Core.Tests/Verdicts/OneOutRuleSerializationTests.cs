using System.Text.Json;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Verdicts;

/// <summary>A rule (and its distributions) survives System.Text.Json and decides exactly as before.</summary>
public sealed class OneOutRuleSerializationTests
{
    public static TheoryData<bool, JsonSerializerDefaults> Cases => new()
    {
        { true, JsonSerializerDefaults.General },
        { false, JsonSerializerDefaults.General },
        { true, JsonSerializerDefaults.Web },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_rule_round_trips_with_identical_state_and_decisions(bool twoSided, JsonSerializerDefaults defaults)
    {
        float[][] heldOut = SyntheticErrors.Generate(seed: 50, records: 3000);
        var rule = OneOutRule.Calibrate(SyntheticErrors.Layers, heldOut, 0.05, twoSided);
        var options = new JsonSerializerOptions(defaults);

        string json = JsonSerializer.Serialize(rule, options);
        var copy = JsonSerializer.Deserialize<OneOutRule>(json, options)!;

        Assert.Equal(rule.Layers, copy.Layers);
        Assert.Equal(rule.Lower, copy.Lower);
        Assert.Equal(rule.Upper, copy.Upper);
        Assert.Equal(rule.LayerAlpha, copy.LayerAlpha);
        Assert.Equal(rule.TwoSided, copy.TwoSided);
        Assert.Equal(rule.TargetFpr, copy.TargetFpr);
        Assert.Equal(rule.RealisedFpr, copy.RealisedFpr);
        for (int l = 0; l < rule.Layers.Count; l++)
        {
            Assert.Equal(rule.Distributions[l].Quantiles, copy.Distributions[l].Quantiles);
            Assert.Equal(rule.Distributions[l].SampleSize, copy.Distributions[l].SampleSize);
        }
        float[][] fresh = SyntheticErrors.Generate(seed: 51, records: 500, logShift: 0.3);
        for (int r = 0; r < 500; r++)
        {
            float[] record = SyntheticErrors.Record(fresh, r);
            Assert.Equal(rule.IsOod(record), copy.IsOod(record));
            Assert.Equal(rule.Score(record), copy.Score(record));
        }
        Assert.Equal(json, JsonSerializer.Serialize(copy, options));
    }

    [Fact]
    public void A_one_sided_rule_over_negative_errors_round_trips_its_open_lower_bound()
    {
        var rule = OneOutRule.Calibrate(["score"], [[.. Enumerable.Range(0, 100).Select(i => i - 50f)]], 0.05, twoSided: false);

        var copy = JsonSerializer.Deserialize<OneOutRule>(JsonSerializer.Serialize(rule))!;

        Assert.Equal(double.MinValue, copy.Lower[0]);
    }

    [Fact]
    public void An_error_distribution_round_trips_on_its_own()
    {
        var distribution = ErrorDistribution.FromSamples([0.5f, 0.25f, 2f, 1f], gridSize: 11);

        string json = JsonSerializer.Serialize(distribution);
        var copy = JsonSerializer.Deserialize<ErrorDistribution>(json)!;

        Assert.Equal(distribution.Quantiles, copy.Quantiles);
        Assert.Equal(4, copy.SampleSize);
        Assert.Equal(distribution.PValue(1.5, twoSided: true), copy.PValue(1.5, twoSided: true));
        Assert.StartsWith("{\"Quantiles\":[0.25,", json);
    }

    [Fact]
    public void Tampered_state_is_refused_on_load()
    {
        var rule = OneOutRule.Calibrate(["a"], [[.. Enumerable.Range(0, 100).Select(i => (float)i)]], 0.05, twoSided: true);
        string json = JsonSerializer.Serialize(rule).Replace("\"Layers\":[\"a\"]", "\"Layers\":[\"a\",\"b\"]", StringComparison.Ordinal);

        var e = Assert.Throws<ArgumentException>(() => JsonSerializer.Deserialize<OneOutRule>(json));

        Assert.Contains("2 layers, 1 distributions", e.Message);
    }
}
