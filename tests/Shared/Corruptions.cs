using NeuralFP.Core.Tensors;

namespace NeuralFP.TestData;

/// <summary>
/// Synthetic shifts of in-distribution records for the model panel: image corruptions (blur, low contrast,
/// occlusion, additive noise) and tabular shifts (per-feature calibration drift, shuffled features, out-of-range
/// values, feature noise). Seeded with the counter-based SplitMix64, so every run builds the same sets.
/// </summary>
public static class Corruptions
{
    /// <summary>Gaussian blur (σ = 1.5 pixels, 7-tap separable kernel, edges clamped) of [N,C,H,W] images.</summary>
    public static FloatTensor Blur(FloatTensor images, double sigma = 1.5)
    {
        var (n, planes, h, w) = Dims(images);
        const int radius = 3;
        var kernel = new float[2 * radius + 1];
        for (var k = -radius; k <= radius; k++) kernel[k + radius] = (float)Math.Exp(-k * k / (2 * sigma * sigma));
        var total = kernel.Sum();
        for (var k = 0; k < kernel.Length; k++) kernel[k] /= total;
        var data = new float[images.Data.Length];
        var row = new float[h * w];
        for (var p = 0; p < n * planes; p++)
        {
            var src = images.Data.AsSpan(p * h * w, h * w);
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                {
                    float s = 0;
                    for (var k = -radius; k <= radius; k++) s += kernel[k + radius] * src[y * w + Math.Clamp(x + k, 0, w - 1)];
                    row[y * w + x] = s;
                }
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                {
                    float s = 0;
                    for (var k = -radius; k <= radius; k++) s += kernel[k + radius] * row[Math.Clamp(y + k, 0, h - 1) * w + x];
                    data[p * h * w + y * w + x] = s;
                }
        }
        return new FloatTensor(data, (int[])images.Shape.Clone());
    }

    /// <summary>Contrast reduced to <paramref name="factor"/> around mid-grey: 0.5 + factor·(x − 0.5).</summary>
    public static FloatTensor LowContrast(FloatTensor images, float factor = 0.3f) =>
        Map(images, v => 0.5f + factor * (v - 0.5f));

    /// <summary>Each image gets <paramref name="patches"/> mid-grey squares of side <paramref name="side"/> at seeded positions.</summary>
    public static FloatTensor Occlusion(FloatTensor images, int patches = 2, int side = 10, ulong seed = 2001)
    {
        var (n, planes, h, w) = Dims(images);
        var data = (float[])images.Data.Clone();
        ulong counter = 0;
        for (var r = 0; r < n; r++)
            for (var q = 0; q < patches; q++)
            {
                var top = (int)(SplitMix64.Uniform01(seed, counter++) * (h - side + 1));
                var left = (int)(SplitMix64.Uniform01(seed, counter++) * (w - side + 1));
                for (var c = 0; c < planes; c++)
                    for (var y = top; y < top + side; y++)
                        data.AsSpan(((r * planes + c) * h + y) * w + left, side).Fill(0.5f);
            }
        return new FloatTensor(data, (int[])images.Shape.Clone());
    }

    /// <summary>x + σ·z clipped to [0,1], z standard normal per value (Box-Muller on SplitMix64).</summary>
    public static FloatTensor AdditiveNoise(FloatTensor images, double sigma = 0.2, ulong seed = 2002, bool clip = true)
    {
        var data = new float[images.Data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            var v = images.Data[i] + sigma * Normal(seed, (ulong)i);
            data[i] = clip ? (float)Math.Clamp(v, 0, 1) : (float)v;
        }
        return new FloatTensor(data, (int[])images.Shape.Clone());
    }

    /// <summary>Tabular: every feature j rescaled by a fixed factor (1 + δ_j), |δ_j| ∈ [0.2, 0.5] with a seeded sign: a miscalibrated sensor bank.</summary>
    public static FloatTensor CalibrationDrift(FloatTensor rows, ulong seed = 3001)
    {
        var width = rows.RecordLength;
        var factor = new float[width];
        for (var j = 0; j < width; j++)
        {
            var magnitude = 0.2 + 0.3 * SplitMix64.Uniform01(seed, 2 * (ulong)j);
            factor[j] = (float)(1 + (SplitMix64.Uniform01(seed, 2 * (ulong)j + 1) < 0.5 ? -magnitude : magnitude));
        }
        var data = new float[rows.Data.Length];
        for (var i = 0; i < data.Length; i++) data[i] = rows.Data[i] * factor[i % width];
        return new FloatTensor(data, (int[])rows.Shape.Clone());
    }

    /// <summary>Tabular: the columns permuted by a fixed seeded derangement (a schema mix-up upstream).</summary>
    public static FloatTensor ShuffledFeatures(FloatTensor rows, ulong seed = 3002)
    {
        var width = rows.RecordLength;
        var order = Enumerable.Range(0, width).ToArray();
        // Sattolo's algorithm: a single cycle, so no column stays in place.
        for (var i = width - 1; i > 0; i--)
        {
            var j = (int)(SplitMix64.Uniform01(seed, (ulong)i) * i);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var data = new float[rows.Data.Length];
        for (var r = 0; r < rows.Records; r++)
            for (var j = 0; j < width; j++) data[r * width + j] = rows.Data[r * width + order[j]];
        return new FloatTensor(data, (int[])rows.Shape.Clone());
    }

    /// <summary>Tabular: in each row three seeded features set to 3× the column's largest value in <paramref name="reference"/>.</summary>
    public static FloatTensor OutOfRange(FloatTensor rows, FloatTensor reference, ulong seed = 3003)
    {
        var width = rows.RecordLength;
        var max = new float[width];
        Array.Fill(max, float.MinValue);
        for (var i = 0; i < reference.Data.Length; i++) max[i % width] = Math.Max(max[i % width], reference.Data[i]);
        var data = (float[])rows.Data.Clone();
        ulong counter = 0;
        for (var r = 0; r < rows.Records; r++)
            for (var k = 0; k < 3; k++)
            {
                var j = (int)(SplitMix64.Uniform01(seed, counter++) * width);
                data[r * width + j] = 3 * max[j];
            }
        return new FloatTensor(data, (int[])rows.Shape.Clone());
    }

    /// <summary>Tabular: x_j + 0.5·sd_j·z per value, sd_j from <paramref name="reference"/> (a noisy sensor bank; a selection set).</summary>
    public static FloatTensor FeatureNoise(FloatTensor rows, FloatTensor reference, ulong seed = 3004)
    {
        var width = rows.RecordLength;
        var mean = new double[width];
        var sq = new double[width];
        for (var i = 0; i < reference.Data.Length; i++) { mean[i % width] += reference.Data[i]; sq[i % width] += (double)reference.Data[i] * reference.Data[i]; }
        var sd = new double[width];
        for (var j = 0; j < width; j++)
        {
            var m = mean[j] / reference.Records;
            sd[j] = Math.Sqrt(Math.Max(sq[j] / reference.Records - m * m, 0));
        }
        var data = new float[rows.Data.Length];
        for (var i = 0; i < data.Length; i++) data[i] = (float)(rows.Data[i] + 0.5 * sd[i % width] * Normal(seed, (ulong)i));
        return new FloatTensor(data, (int[])rows.Shape.Clone());
    }

    private static double Normal(ulong seed, ulong i)
    {
        var u1 = SplitMix64.Uniform01(seed, 2 * i);
        var u2 = SplitMix64.Uniform01(seed, 2 * i + 1);
        return Math.Sqrt(-2.0 * Math.Log(1.0 - u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static FloatTensor Map(FloatTensor images, Func<float, float> f)
    {
        var data = new float[images.Data.Length];
        for (var i = 0; i < data.Length; i++) data[i] = f(images.Data[i]);
        return new FloatTensor(data, (int[])images.Shape.Clone());
    }

    private static (int N, int Planes, int H, int W) Dims(FloatTensor images)
    {
        if (images.Shape.Length != 4)
            throw new ArgumentException($"Expected images shaped [N,C,H,W]; got [{string.Join(",", images.Shape)}].", nameof(images));
        return (images.Shape[0], images.Shape[1], images.Shape[2], images.Shape[3]);
    }
}
