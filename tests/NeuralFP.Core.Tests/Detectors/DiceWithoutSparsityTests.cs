using NeuralFP.Core.Detectors;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Detectors;

public sealed class DiceWithoutSparsityTests
{
    [Fact]
    public void Percentile_zero_keeps_every_weight_and_equals_energy_of_the_logits()
    {
        const int n = 200, d = 16, k = 5;
        var random = new Random(11);
        var weight = Enumerable.Range(0, d * k).Select(_ => SyntheticActivations.Gaussian(random)).ToArray();
        var bias = Enumerable.Range(0, k).Select(_ => SyntheticActivations.Gaussian(random)).ToArray();
        var x = Enumerable.Range(0, n * d).Select(_ => 2 * SyntheticActivations.Gaussian(random)).ToArray();
        var logits = new float[n * k];
        for (var i = 0; i < n; i++)
            for (var c = 0; c < k; c++)
            {
                double sum = bias[c];
                for (var j = 0; j < d; j++) sum += (double)x[i * d + j] * weight[j * k + c];
                logits[i * k + c] = (float)sum;
            }
        var inputs = new DetectorInputs(new FloatTensor(logits, [n, k]), new FloatTensor(x, [n, d]));
        var head = new LinearHead("x", "y", "y", d, k, weight, bias);

        var dice = new DiceDetector(head, new DiceOptions { Percentile = 0 });
        dice.Fit(inputs);
        var energy = new EnergyDetector();
        energy.Fit(inputs);

        Assert.Equal(d * k, dice.KeptWeights);
        Assert.Equal(weight, dice.MaskedWeight.ToArray());
        var diceScores = SyntheticActivations.Scores(dice, inputs);
        var energyScores = SyntheticActivations.Scores(energy, inputs);
        for (var i = 0; i < n; i++) Assert.Equal(energyScores[i], diceScores[i], 1e-4 * (1 + Math.Abs(energyScores[i])));
    }

    [Fact]
    public void Default_percentile_keeps_the_top_tenth_of_contributions()
    {
        var reference = SyntheticActivations.Reference();
        var dice = new DiceDetector(SyntheticActivations.Head);
        dice.Fit(reference);

        // 24 weights → round(2.4) = 2 kept, and they are the two largest positive contributions (class units on their own class).
        Assert.Equal(2, dice.KeptWeights);
        var masked = dice.MaskedWeight.ToArray();
        Assert.Equal(2, masked.Count(w => w != 0));
        Assert.All(Enumerable.Range(0, masked.Length).Where(i => masked[i] != 0), i => Assert.Equal(i / SyntheticActivations.Classes, i % SyntheticActivations.Classes));
    }
}
