using System.Buffers;
using System.Globalization;
using System.Numerics.Tensors;
using NeuralFP.Core.Numerics;

namespace NeuralFP.Core.Activations;

public enum PoolingKind { None, Grid, Time, TimeSegments }

/// <summary>
/// How a [C,H,W] activation map becomes a feature vector: <c>none</c> flattens it; <c>grid k</c>
/// averages it over a k×k grid of adaptive bins (PyTorch AdaptiveAvgPool2d bins) to C·k·k
/// features, ordered channel-major then bin row, bin column; <c>global</c> is grid 1. Tensors of
/// rank ≤ 2 ([N, D]) are never pooled. Other maps with channels first ([C,L], [C,D,H,W]) are
/// pooled the same way over each spatial axis (C·k features, C·k³ features). Sequences [T, H] (a recurrent layer's
/// hidden states, a transformer's token states) are pooled over time instead: <c>time</c> is the mean over all T steps
/// (H features); <c>timeS</c> (e.g. <c>time4</c>) the means over S consecutive segments of the steps (adaptive bins, as
/// the grid's), H·S features ordered feature-major then segment, which keeps coarse position as 2×2 does for maps.
/// </summary>
public sealed record PoolingSpec(PoolingKind Kind, int Grid)
{
    // Bin bounds of the 2-D fast path live on the stack.
    private const int MaxStackGrid = 256;

    private const string Accepted = "\"none\", \"global\" or a square grid \"kxk\" with k ≥ 1 (e.g. \"2x2\", \"4x4\"); for sequences \"time\" or \"timeS\" with S ≥ 1 segments (e.g. \"time4\")";

    /// <summary>
    /// Whether the pooled features are divided by their L2 norm (their direction only, as k-NN reads penultimate
    /// features); written as a "+l2" suffix, e.g. "none+l2".
    /// </summary>
    public bool L2Normalised { get; init; }

    private const string L2Suffix = "+l2";

    public static PoolingSpec None { get; } = new(PoolingKind.None, 0);
    public static PoolingSpec Global { get; } = new(PoolingKind.Grid, 1);

    /// <summary>Mean over the first record axis of a [T, H] sequence (a recurrent layer's hidden states over time) to H features.</summary>
    public static PoolingSpec Time { get; } = new(PoolingKind.Time, 0);

    /// <summary>Means over <paramref name="segments"/> consecutive segments of a [T, H] sequence's steps (one segment is <see cref="Time"/>).</summary>
    public static PoolingSpec TimeSegments(int segments) => segments == 1 ? Time : new(PoolingKind.TimeSegments, segments);

    /// <summary>Whether this pools [T, H] sequences over time (rather than maps over space).</summary>
    public bool OverTime => Kind is PoolingKind.Time or PoolingKind.TimeSegments;

    /// <summary>Time segments of an over-time pooling (<c>time</c> is one segment).</summary>
    internal int Segments => Kind == PoolingKind.TimeSegments ? Grid : 1;

    /// <summary>Parses "none", "global", "2x2", "4x4" (any k×k), "time", "time4" (any S ≥ 1 segments).</summary>
    /// <exception cref="FormatException">Anything else; the message lists the accepted values.</exception>
    public static PoolingSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().ToLowerInvariant();
        if (t.EndsWith(L2Suffix, StringComparison.Ordinal) && t.Length > L2Suffix.Length && !t[..^L2Suffix.Length].EndsWith(L2Suffix, StringComparison.Ordinal))
        {
            try
            {
                return Parse(t[..^L2Suffix.Length]) with { L2Normalised = true };
            }
            catch (FormatException)
            {
                throw new FormatException($"Unknown pooling '{text}'; use {Accepted}, optionally followed by \"{L2Suffix}\".");
            }
        }
        if (t == "none") return None;
        if (t == "global") return Global;
        if (t == "time") return Time;
        if (t.StartsWith("time", StringComparison.Ordinal)
            && int.TryParse(t.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var segments) && segments >= 1)
            return TimeSegments(segments);
        var parts = t.Split('x');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var rows)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var cols)
            && rows == cols && rows >= 1)
            return rows == 1 ? Global : new PoolingSpec(PoolingKind.Grid, rows);
        throw new FormatException($"Unknown pooling '{text}'; use {Accepted}.");
    }

    public override string ToString() => Kind switch
    {
        PoolingKind.None => "none",
        PoolingKind.Time => "time",
        PoolingKind.TimeSegments => $"time{Grid}",
        _ => Grid == 1 ? "global" : $"{Grid}x{Grid}",
    } + (L2Normalised ? L2Suffix : "");

    /// <summary>Whether a record of this shape is pooled (channels and at least one spatial axis) rather than taken as is.</summary>
    public static bool IsMap(int[] recordShape) => recordShape.Length >= 2;

    /// <summary>Feature count for a record shape (without batch).</summary>
    /// <exception cref="OverflowException">More features than an array can index; <see cref="FeatureCountOrMax"/> says how many.</exception>
    public int FeatureCount(int[] recordShape) => checked((int)FeatureCountOrMax(recordShape));

    /// <summary>Feature count for a record shape (without batch), <see cref="long.MaxValue"/> when even a long cannot hold it (budgets compare it with their limits).</summary>
    public long FeatureCountOrMax(int[] recordShape)
    {
        ArgumentNullException.ThrowIfNull(recordShape);
        RequireValid();
        try
        {
            long size = 1;
            foreach (var d in recordShape)
            {
                if (d <= 0) throw new ArgumentException($"Record shape [{string.Join(",", recordShape)}] has a non-positive dimension.", nameof(recordShape));
                size = checked(size * d);
            }
            if (OverTime)
            {
                if (recordShape.Length != 2)
                    throw new ArgumentException($"Time pooling needs sequence records [T, H]; got [{string.Join(",", recordShape)}].", nameof(recordShape));
                if (Segments > recordShape[0])
                    throw new ArgumentException($"{this} pooling needs at least {Segments} steps; the sequence [{string.Join(",", recordShape)}] has {recordShape[0]}.", nameof(recordShape));
                return (long)recordShape[1] * Segments;
            }
            if (Kind == PoolingKind.None || !IsMap(recordShape)) return size;
            long features = recordShape[0];
            for (var a = 1; a < recordShape.Length; a++) features = checked(features * Grid);
            return features;
        }
        catch (OverflowException)
        {
            return long.MaxValue;
        }
    }

    /// <summary>Pools one record's activation (C-ordered, <paramref name="recordShape"/>) into <paramref name="destination"/>.</summary>
    public void Pool(ReadOnlySpan<float> record, int[] recordShape, Span<float> destination)
    {
        PoolFeatures(record, recordShape, destination);
        if (!L2Normalised) return;
        // As ONNX LpNormalization (p = 2): a zero vector stays zero.
        var norm = TensorPrimitives.Norm(destination);
        if (norm > 0) TensorPrimitives.Multiply(destination, 1f / norm, destination);
    }

    private void PoolFeatures(ReadOnlySpan<float> record, int[] recordShape, Span<float> destination)
    {
        var features = FeatureCount(recordShape);
        var size = 1;
        foreach (var d in recordShape) size *= d;
        if (record.Length != size)
            throw new ArgumentException($"The record holds {record.Length} values but shape [{string.Join(",", recordShape)}] needs {size}.", nameof(record));
        if (destination.Length != features)
            throw new ArgumentException($"The destination holds {destination.Length} values but {this} pooling of [{string.Join(",", recordShape)}] gives {features}.", nameof(destination));

        if (OverTime)
        {
            PoolSegments(record, recordShape[0], recordShape[1], destination);
            return;
        }
        if (Kind == PoolingKind.None || !IsMap(recordShape))
        {
            record.CopyTo(destination);
            return;
        }

        var spatial = recordShape.AsSpan(1);
        var channelSize = size / recordShape[0];
        var binsPerChannel = features / recordShape[0];
        Span<int> bin = stackalloc int[spatial.Length];
        for (var c = 0; c < recordShape[0]; c++)
        {
            var channel = record.Slice(c * channelSize, channelSize);
            if (Grid == 1)
            {
                destination[c] = VectorMath.Sum(channel) / channelSize;
                continue;
            }
            var pooled = destination.Slice(c * binsPerChannel, binsPerChannel);
            if (spatial.Length == 2 && Grid <= MaxStackGrid)
            {
                PoolMap(channel, spatial[0], spatial[1], pooled);
                continue;
            }
            bin.Clear();
            for (var b = 0; b < binsPerChannel; b++)
            {
                var count = 1;
                for (var a = 0; a < spatial.Length; a++)
                    count *= AdaptiveBins.End(bin[a], spatial[a], Grid) - AdaptiveBins.Start(bin[a], spatial[a], Grid);
                destination[c * binsPerChannel + b] = BoxSum(channel, spatial, bin, 0) / count;
                for (var a = spatial.Length - 1; a >= 0 && ++bin[a] == Grid; a--) bin[a] = 0; // next bin, row-major
            }
        }
    }

    // Segment means (summed step by step, vectorised), written feature-major (h·S + s) to match the scorer graph's
    // [N, H, T]·[T, S] MatMul; one segment is the mean over every step.
    private void PoolSegments(ReadOnlySpan<float> record, int steps, int width, Span<float> destination)
    {
        const int MaxStackWidth = 1024;
        var segments = Segments;
        float[]? rented = null;
        var sum = width <= MaxStackWidth ? stackalloc float[width] : (rented = ArrayPool<float>.Shared.Rent(width)).AsSpan(0, width);
        try
        {
            for (var s = 0; s < segments; s++)
            {
                int start = AdaptiveBins.Start(s, steps, segments), end = AdaptiveBins.End(s, steps, segments);
                record.Slice(start * width, width).CopyTo(sum);
                for (var t = start + 1; t < end; t++) VectorMath.Add(sum, record.Slice(t * width, width));
                var inverse = 1f / (end - start);
                for (var h = 0; h < width; h++) destination[h * segments + s] = sum[h] * inverse;
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        }
    }

    // Each row is read once: its column-bin sums go to every row bin that holds the row (bins may overlap).
    private void PoolMap(ReadOnlySpan<float> channel, int height, int width, Span<float> pooled)
    {
        var k = Grid;
        Span<int> bounds = stackalloc int[4 * k];
        Span<int> rowStart = bounds[..k], rowEnd = bounds[k..(2 * k)], colStart = bounds[(2 * k)..(3 * k)], colEnd = bounds[(3 * k)..];
        for (var b = 0; b < k; b++)
        {
            rowStart[b] = AdaptiveBins.Start(b, height, k);
            rowEnd[b] = AdaptiveBins.End(b, height, k);
            colStart[b] = AdaptiveBins.Start(b, width, k);
            colEnd[b] = AdaptiveBins.End(b, width, k);
        }
        pooled.Clear();
        var firstBin = 0;
        for (var h = 0; h < height; h++)
        {
            while (rowEnd[firstBin] <= h) firstBin++;
            var row = channel.Slice(h * width, width);
            for (var j = 0; j < k; j++)
            {
                var sum = VectorMath.Sum(row[colStart[j]..colEnd[j]]);
                for (var i = firstBin; i < k && rowStart[i] <= h; i++) pooled[i * k + j] += sum;
            }
        }
        for (var i = 0; i < k; i++)
            for (var j = 0; j < k; j++)
                pooled[i * k + j] /= (rowEnd[i] - rowStart[i]) * (colEnd[j] - colStart[j]);
    }

    // Sum over the box that `bin` selects, axis by axis; the last axis is a contiguous run.
    private float BoxSum(ReadOnlySpan<float> block, ReadOnlySpan<int> spatial, ReadOnlySpan<int> bin, int axis)
    {
        var start = AdaptiveBins.Start(bin[axis], spatial[axis], Grid);
        var end = AdaptiveBins.End(bin[axis], spatial[axis], Grid);
        if (axis == spatial.Length - 1) return VectorMath.Sum(block.Slice(start, end - start));
        var stride = block.Length / spatial[axis];
        var sum = 0f;
        for (var i = start; i < end; i++) sum += BoxSum(block.Slice(i * stride, stride), spatial, bin, axis + 1);
        return sum;
    }

    private void RequireValid()
    {
        if ((Kind is PoolingKind.Grid or PoolingKind.TimeSegments) && Grid < 1)
            throw new InvalidOperationException($"A grid or time-segment pooling needs at least 1 bin per axis (got {Grid}); use {Accepted}.");
    }
}
