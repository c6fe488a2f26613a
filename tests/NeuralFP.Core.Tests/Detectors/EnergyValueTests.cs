using NeuralFP.Core.Detectors;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Detectors;

public sealed class EnergyValueTests
{
    [Fact]
    public void Energy_is_minus_logsumexp_and_stable_for_large_logits()
    {
        // logsumexp(0, ln 3) = ln 4; logsumexp(1000, 1000) = 1000 + ln 2 (would overflow without the max shift).
        var inputs = new DetectorInputs(new FloatTensor([0f, (float)Math.Log(3), 1000f, 1000f], [2, 2]));
        var scores = SyntheticActivations.Scores(new EnergyDetector(), inputs);

        Assert.Equal(-Math.Log(4), scores[0], 1e-6);
        Assert.Equal(-(1000 + Math.Log(2)), scores[1], 1e-3);
    }

    [Fact]
    public void Temperature_scales_the_logits_and_the_result()
    {
        // T = 2: −2·logsumexp(0/2, 2 ln 3 / 2) = −2·ln 4.
        var inputs = new DetectorInputs(new FloatTensor([0f, (float)(2 * Math.Log(3))], [1, 2]));
        var scores = SyntheticActivations.Scores(new EnergyDetector(temperature: 2), inputs);

        Assert.Equal(-2 * Math.Log(4), scores[0], 1e-5);
    }

    [Fact]
    public void Non_positive_temperature_is_rejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new EnergyDetector(0));
        Assert.Contains("positive", e.Message);
    }
}
