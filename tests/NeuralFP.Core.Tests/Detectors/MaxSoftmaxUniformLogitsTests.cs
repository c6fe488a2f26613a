using NeuralFP.Core.Detectors;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Detectors;

public sealed class MaxSoftmaxUniformLogitsTests
{
    [Fact]
    public void Uniform_logits_score_highest_at_minus_one_over_k()
    {
        float[] logits =
        [
            9, 0, 0, 0,
            2, 1, 0, 0,
            3, 3, 3, 3,       // uniform: max probability 1/4, the least confident possible
            100, 99, -5, 0,
            -50, -50, -50, -49,
        ];
        var inputs = new DetectorInputs(new FloatTensor(logits, [5, 4]));
        var msp = new MaxSoftmaxDetector();
        msp.Fit(inputs);

        var scores = SyntheticActivations.Scores(msp, inputs);

        Assert.Equal(2, Array.IndexOf(scores, scores.Max()));
        Assert.Equal(-0.25, scores[2], 1e-7);
        Assert.Equal(-1 / (1 + 3 * Math.Exp(-9)), scores[0], 1e-6);
    }
}
