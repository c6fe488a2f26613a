using NeuralFP.Core.Detectors;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Detectors;

/// <summary>
/// A tiny 3-class "network" whose answers are known: penultimate unit c (c &lt; 3) fires at about 5
/// for class c, the 5 other units are small non-negative noise; logits = x·W with W[c,c] = 1 and
/// W[d ≥ 3, k] = −1; the watched layer is x − 2.5, so each class has one on/off pattern.
/// </summary>
internal static class SyntheticActivations
{
    public const int Classes = 3;
    public const int Features = 8;
    public const float PatternOffset = 2.5f;

    public static LinearHead Head { get; } = MakeHead();

    /// <summary><paramref name="perClass"/> records of each class, class-major order.</summary>
    public static DetectorInputs Reference(int perClass = 100, int seed = 7)
    {
        var random = new Random(seed);
        var rows = new float[Classes * perClass * Features];
        var labels = new int[Classes * perClass];
        for (var c = 0; c < Classes; c++)
            for (var i = 0; i < perClass; i++)
            {
                var r = c * perClass + i;
                labels[r] = c;
                for (var d = 0; d < Features; d++)
                    rows[r * Features + d] = d == c ? 5f + 0.3f * Gaussian(random) : 0.3f * MathF.Abs(Gaussian(random));
            }
        return FromPenultimate(rows, labels);
    }

    /// <summary>One record far from every class: the class units silent, the noise units at 20 (logits all −100).</summary>
    public static DetectorInputs Far() => FromPenultimate([0, 0, 0, 20, 20, 20, 20, 20]);

    /// <summary>Inputs whose logits and watched layer follow from the given penultimate rows.</summary>
    public static DetectorInputs FromPenultimate(float[] rows, int[]? labels = null)
    {
        var n = rows.Length / Features;
        var logits = new float[n * Classes];
        var pattern = new float[rows.Length];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < Classes; k++)
            {
                var sum = Head.Bias[k];
                for (var d = 0; d < Features; d++) sum += rows[i * Features + d] * Head.Weight[d * Classes + k];
                logits[i * Classes + k] = sum;
            }
            for (var d = 0; d < Features; d++) pattern[i * Features + d] = rows[i * Features + d] - PatternOffset;
        }
        return new DetectorInputs(
            new FloatTensor(logits, [n, Classes]),
            new FloatTensor(rows, [n, Features]),
            new FloatTensor(pattern, [n, Features]),
            labels);
    }

    public static float Gaussian(Random random)
    {
        // Box–Muller; 1 − u keeps the logarithm finite.
        var u = 1.0 - random.NextDouble();
        var v = random.NextDouble();
        return (float)(Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
    }

    public static double[] Scores(IOodDetector detector, DetectorInputs inputs)
    {
        var scores = new double[inputs.Records];
        detector.Score(inputs, scores);
        return scores;
    }

    private static LinearHead MakeHead()
    {
        var weight = new float[Features * Classes];
        for (var d = 0; d < Features; d++)
            for (var k = 0; k < Classes; k++)
                weight[d * Classes + k] = d < Classes ? (d == k ? 1 : 0) : -1;
        return new LinearHead("penultimate", "logits", "logits", Features, Classes, weight, new float[Classes]);
    }
}
