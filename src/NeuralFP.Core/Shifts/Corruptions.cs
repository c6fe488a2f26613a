using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Shifts;

/// <summary>
/// Synthetic shifts of in-distribution records: image corruptions (blur, low contrast, occlusion, additive noise) of
/// records whose last two axes are an image (every combination of the leading axes a plane), and tabular shifts
/// (per-feature calibration drift, shuffled features, out-of-range values, feature noise). Seeded with the counter-based
/// SplitMix64, so every run builds the same sets. The model panel's sets and the build's self-check
/// (<see cref="SelfCheck"/>) both come from here; the defaults are the panel's ([0, 1] pixels).
/// </summary>
public static class Corruptions
{
    /// <summary>Gaussian blur (σ = 1.5 pixels: a 7-tap separable kernel, radius ⌈2σ⌉; edges clamped).</summary>
    public static FloatTensor Blur(FloatTensor images, double sigma = 1.5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(sigma, 0);
        var (n, planes, h, w) = Dims(images);
        var radius = (int)Math.Ceiling(2 * sigma);
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

    /// <summary>Contrast reduced to <paramref name="factor"/> around <paramref name="centre"/> (mid-grey): centre + factor·(x − centre).</summary>
    public static FloatTensor LowContrast(FloatTensor images, float factor = 0.3f, float centre = 0.5f) =>
        Map(images, v => centre + factor * (v - centre));

    /// <summary>Each image gets <paramref name="patches"/> squares of side <paramref name="side"/> filled with
    /// <paramref name="fill"/> (mid-grey) at seeded positions.</summary>
    /// <param name="firstRecord">The first record's index in the whole set: a record's patches depend on its index, not on how the set is batched.</param>
    public static FloatTensor Occlusion(FloatTensor images, int patches = 2, int side = 10, ulong seed = 2001, float fill = 0.5f, long firstRecord = 0)
    {
        var (n, planes, h, w) = Dims(images);
        if (side < 1 || side > Math.Min(h, w))
            throw new ArgumentOutOfRangeException(nameof(side), side, $"A patch's side must be in [1, {Math.Min(h, w)}] for {h}×{w} images.");
        var data = (float[])images.Data.Clone();
        var counter = checked((ulong)firstRecord * (ulong)patches * 2);
        for (var r = 0; r < n; r++)
            for (var q = 0; q < patches; q++)
            {
                var top = (int)(SplitMix64.Uniform01(seed, counter++) * (h - side + 1));
                var left = (int)(SplitMix64.Uniform01(seed, counter++) * (w - side + 1));
                for (var c = 0; c < planes; c++)
                    for (var y = top; y < top + side; y++)
                        data.AsSpan(((r * planes + c) * h + y) * w + left, side).Fill(fill);
            }
        return new FloatTensor(data, (int[])images.Shape.Clone());
    }

    /// <summary>x + σ·z clipped to [<paramref name="low"/>, <paramref name="high"/>] ([0, 1] pixels), z standard normal per
    /// value (Box-Muller on SplitMix64).</summary>
    /// <param name="firstRecord">The first record's index in the whole set: a record's noise depends on its index, not on how the set is batched.</param>
    public static FloatTensor AdditiveNoise(FloatTensor images, double sigma = 0.2, ulong seed = 2002, double low = 0, double high = 1, long firstRecord = 0)
    {
        var data = new float[images.Data.Length];
        var offset = checked((ulong)firstRecord * (ulong)images.RecordLength);
        for (var i = 0; i < data.Length; i++)
            data[i] = (float)Math.Clamp(images.Data[i] + sigma * Normal(seed, offset + (ulong)i), low, high);
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
    public static FloatTensor FeatureNoise(FloatTensor rows, FloatTensor reference, ulong seed = 3004) =>
        FeatureNoise(rows, FeatureSpread(reference), seed);

    /// <summary>Tabular: x_j + 0.5·sd_j·z per value, with the given spread of each feature.</summary>
    /// <param name="firstRecord">The first record's index in the whole set: a record's noise depends on its index, not on how the set is batched.</param>
    public static FloatTensor FeatureNoise(FloatTensor rows, double[] spread, ulong seed, long firstRecord = 0)
    {
        var width = rows.RecordLength;
        if (spread.Length != width) throw new ArgumentException($"{spread.Length} spreads for records of {width} features.", nameof(spread));
        var offset = checked((ulong)firstRecord * (ulong)width);
        var data = new float[rows.Data.Length];
        for (var i = 0; i < data.Length; i++) data[i] = (float)(rows.Data[i] + 0.5 * spread[i % width] * Normal(seed, offset + (ulong)i));
        return new FloatTensor(data, (int[])rows.Shape.Clone());
    }

    /// <summary>(1 − w)·x + w·x' with each record's partner x' (a record of the same set): two records superposed.</summary>
    public static FloatTensor Mixup(FloatTensor records, FloatTensor partners, float weight = 0.5f)
    {
        SameShape(records, partners);
        var data = new float[records.Data.Length];
        for (var i = 0; i < data.Length; i++) data[i] = (1 - weight) * records.Data[i] + weight * partners.Data[i];
        return new FloatTensor(data, (int[])records.Shape.Clone());
    }

    /// <summary>
    /// Each value taken from the record's partner with probability <paramref name="share"/> (seeded per value): every
    /// feature keeps its own distribution while the features' dependencies break (a join of mismatched rows upstream).
    /// </summary>
    /// <param name="firstRecord">The first record's index in the whole set: a record's picks depend on its index, not on how the set is batched.</param>
    public static FloatTensor ColumnResample(FloatTensor records, FloatTensor partners, double share, ulong seed, long firstRecord = 0)
    {
        SameShape(records, partners);
        var offset = checked((ulong)firstRecord * (ulong)records.RecordLength);
        var data = (float[])records.Data.Clone();
        for (var i = 0; i < data.Length; i++)
            if (SplitMix64.Uniform01(seed, offset + (ulong)i) < share) data[i] = partners.Data[i];
        return new FloatTensor(data, (int[])records.Shape.Clone());
    }

    /// <summary>
    /// Each image cut into a <paramref name="grid"/>×<paramref name="grid"/> grid of tiles (the last rows and columns that do not
    /// fill a tile stay in place) and the tiles permuted by a seeded derangement per record: local texture kept, the
    /// object's layout broken.
    /// </summary>
    /// <param name="firstRecord">The first record's index in the whole set: a record's permutation depends on its index, not on how the set is batched.</param>
    public static FloatTensor PatchShuffle(FloatTensor images, int grid, ulong seed, long firstRecord = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(grid, 2);
        var (n, planes, h, w) = Dims(images);
        int th = h / grid, tw = w / grid;
        if (th < 1 || tw < 1) throw new ArgumentException($"{h}×{w} images cannot be cut into a {grid}×{grid} grid.", nameof(images));
        var data = (float[])images.Data.Clone();
        var order = new int[grid * grid];
        for (var r = 0; r < n; r++)
        {
            for (var t = 0; t < order.Length; t++) order[t] = t;
            var record = (ulong)(firstRecord + r) * (ulong)order.Length;
            // Sattolo's algorithm: one cycle, so every tile moves.
            for (var i = order.Length - 1; i > 0; i--)
            {
                var j = (int)(SplitMix64.Uniform01(seed, record + (ulong)i) * i);
                (order[i], order[j]) = (order[j], order[i]);
            }
            for (var p = 0; p < planes; p++)
            {
                var plane = (r * planes + p) * h * w;
                for (var t = 0; t < order.Length; t++)
                {
                    int toY = t / grid * th, toX = t % grid * tw, fromY = order[t] / grid * th, fromX = order[t] % grid * tw;
                    for (var y = 0; y < th; y++)
                        images.Data.AsSpan(plane + (fromY + y) * w + fromX, tw).CopyTo(data.AsSpan(plane + (toY + y) * w + toX, tw));
                }
            }
        }
        return new FloatTensor(data, (int[])images.Shape.Clone());
    }

    private static void SameShape(FloatTensor records, FloatTensor partners)
    {
        if (!records.Shape.AsSpan().SequenceEqual(partners.Shape))
            throw new ArgumentException($"Partners shaped [{string.Join(",", partners.Shape)}] for records shaped [{string.Join(",", records.Shape)}].", nameof(partners));
    }

    /// <summary>Each feature's standard deviation over the records (population form).</summary>
    public static double[] FeatureSpread(FloatTensor records)
    {
        var width = records.RecordLength;
        var mean = new double[width];
        var sq = new double[width];
        for (var i = 0; i < records.Data.Length; i++) { mean[i % width] += records.Data[i]; sq[i % width] += (double)records.Data[i] * records.Data[i]; }
        var sd = new double[width];
        for (var j = 0; j < width; j++)
        {
            var m = mean[j] / records.Records;
            sd[j] = Math.Sqrt(Math.Max(sq[j] / records.Records - m * m, 0));
        }
        return sd;
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

    /// <summary>Records, planes (every combination of the axes between the first and the last two), height and width.</summary>
    private static (int N, int Planes, int H, int W) Dims(FloatTensor images)
    {
        var shape = images.Shape;
        if (shape.Length < 3)
            throw new ArgumentException($"Expected images shaped [N, ..., H, W]; got [{string.Join(",", shape)}].", nameof(images));
        var planes = 1;
        for (var a = 1; a < shape.Length - 2; a++) planes = checked(planes * shape[a]);
        return (shape[0], planes, shape[^2], shape[^1]);
    }
}
