using System.Numerics;
using System.Runtime.Intrinsics;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Detectors;

/// <summary>
/// The baseline that <see cref="NodeHistogramDetector"/> replaces: keeps every reference activation
/// and counts, per node, how many are ≥ (and ≤) the observed value. Exact, but memory grows with N
/// and each p-value costs O(N). For tests and the memory/time comparison, not for serving.
/// </summary>
public sealed class BruteForceNodePValues
{
    private readonly float[] _columns; // [nodes, N], one contiguous column per node
    private readonly int _records;

    public BruteForceNodePValues(FloatTensor reference, NodeTail tail)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Records == 0) throw new ArgumentException("Brute-force p-values need at least one reference record.", nameof(reference));
        _records = reference.Records;
        Nodes = reference.RecordLength;
        Tail = tail;
        _columns = new float[_records * Nodes];
        for (var i = 0; i < _records; i++)
        {
            var row = reference.Record(i);
            for (var j = 0; j < Nodes; j++) _columns[j * _records + i] = row[j];
        }
    }

    public int Nodes { get; }

    public NodeTail Tail { get; }

    public long StateBytes => sizeof(float) * (long)_columns.Length;

    public void NodePValues(ReadOnlySpan<float> activations, Span<double> pValues)
    {
        if (activations.Length != Nodes || pValues.Length < Nodes)
            throw new ArgumentException($"Expected {Nodes} activations and as many p-value slots; got {activations.Length} and {pValues.Length}.");
        var scale = 1.0 / (_records + 1);
        for (var j = 0; j < Nodes; j++)
        {
            var column = _columns.AsSpan(j * _records, _records);
            var (atLeast, atMost) = Count(column, activations[j]);
            var p = (1.0 + atLeast) * scale;
            pValues[j] = Tail == NodeTail.TwoSided ? Math.Min(1.0, 2 * Math.Min(p, (1.0 + atMost) * scale)) : p;
        }
    }

    /// <summary>#{a ≥ v} and #{a ≤ v}, eight lanes at a time.</summary>
    private static (int AtLeast, int AtMost) Count(ReadOnlySpan<float> column, float v)
    {
        int atLeast = 0, atMost = 0, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var value = Vector256.Create(v);
            for (; i + 8 <= column.Length; i += 8)
            {
                var a = Vector256.Create(column.Slice(i, 8));
                atLeast += BitOperations.PopCount(Vector256.GreaterThanOrEqual(a, value).ExtractMostSignificantBits());
                atMost += BitOperations.PopCount(Vector256.LessThanOrEqual(a, value).ExtractMostSignificantBits());
            }
        }
        for (; i < column.Length; i++)
        {
            if (column[i] >= v) atLeast++;
            if (column[i] <= v) atMost++;
        }
        return (atLeast, atMost);
    }
}
