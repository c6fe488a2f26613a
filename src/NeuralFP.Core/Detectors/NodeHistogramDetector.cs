using System.Buffers;
using System.Numerics.Tensors;
using NeuralFP.Core.Detectors.State;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Detectors;

// Efficient representation of the activation space with node-specific histograms and empirical p-values, arXiv:2312.08143.
/// <summary>
/// One equal-width histogram per node of the reference activations (plus the count sitting exactly at
/// the node's minimum, which is where a ReLU's zeros pile up). A node's empirical p-value
/// (1 + #{A ≥ a})/(N + 1) is read from the cumulative counts, interpolating linearly inside the bin,
/// so no raw activations are kept. Per record the node p-values are combined by
/// <see cref="NodeHistogramOptions.Combination"/> (default: Bonferroni-corrected smallest p-value).
/// </summary>
public sealed class NodeHistogramDetector : IOodDetector
{
    private int _nodes;
    private int _referenceCount;
    private float[] _minimum = [];
    private float[] _maximum = [];
    private int[] _atMinimum = [];
    private int[]? _counts;          // [nodes, bins], values strictly above the minimum
    private int[] _above = [];       // [nodes, bins + 1], _above[b] = Σ_{i ≥ b} counts[i]
    private double[] _binsPerUnit = []; // bins / (max − min), 0 for a constant node

    public NodeHistogramDetector(NodeHistogramOptions? options = null)
    {
        Options = options ?? new NodeHistogramOptions();
        Options.Validate();
    }

    public NodeHistogramOptions Options { get; }

    public string Name => DetectorNames.NodeHistograms;

    public string Description => $"{(Options.Combination == PValueCombination.Fisher ? "Fisher −2·Σ ln p" : "−ln(Bonferroni min p)")} over {_nodes} nodes' {(Options.Tail == NodeTail.Upper ? "upper-tail" : "two-sided")} empirical p-values from {Options.Bins}-bin histograms of {_referenceCount} reference records ({StateBytes} bytes; the raw activations would take {RawBytes})";

    public bool IsFitted => _counts is not null;

    public bool KeepsReferenceData => false;

    /// <summary>Bytes of the persisted representation: per node the counts, minimum, maximum and at-minimum count.</summary>
    public long StateBytes => _counts is null ? 0 : sizeof(int) * (long)_counts.Length + (sizeof(float) * 2L + sizeof(int)) * _nodes;

    /// <summary>Bytes the brute-force alternative keeps: every reference activation as float32.</summary>
    public long RawBytes => sizeof(float) * (long)_referenceCount * _nodes;

    public int Nodes => _nodes;

    public int ReferenceCount => _referenceCount;

    public void Fit(DetectorInputs reference, CancellationToken cancellationToken = default)
    {
        DetectorGuard.NotEmpty(reference, Name);
        var x = Source(reference);
        int n = x.Records, d = x.RecordLength, bins = Options.Bins;
        var min = new float[d];
        var max = new float[d];
        x.Record(0).CopyTo(min);
        x.Record(0).CopyTo(max);
        for (var i = 1; i < n; i++)
        {
            TensorPrimitives.Min(min, x.Record(i), min);
            TensorPrimitives.Max(max, x.Record(i), max);
        }
        for (var j = 0; j < d; j++)
            if (!float.IsFinite(min[j]) || !float.IsFinite(max[j]))
                throw new ArgumentException($"Detector '{Name}' cannot fit: node {j} has a non-finite reference activation; check the reference records.");

        _nodes = d;
        _referenceCount = n;
        _minimum = min;
        _maximum = max;
        _binsPerUnit = BinsPerUnit(min, max, bins);
        var counts = new int[d * bins];
        var atMinimum = new int[d];
        for (var i = 0; i < n; i++)
        {
            if ((i & 4095) == 0) cancellationToken.ThrowIfCancellationRequested();
            var row = x.Record(i);
            for (var j = 0; j < d; j++)
            {
                var v = row[j];
                if (v <= min[j]) atMinimum[j]++;
                else counts[j * bins + Bin(j, v, out _)]++;
            }
        }
        _atMinimum = atMinimum;
        _counts = counts;
        _above = Cumulate(counts, d, bins);
    }

    public void Score(DetectorInputs records, Span<double> scores)
    {
        DetectorGuard.Fitted(IsFitted, Name);
        DetectorGuard.ScoreSpan(records, scores);
        var x = Source(records);
        DetectorGuard.Width(x, _nodes, Name, $"{Options.Source} activations");
        var scratch = ArrayPool<double>.Shared.Rent(_nodes);
        try
        {
            var p = scratch.AsSpan(0, _nodes);
            for (var i = 0; i < records.Records; i++)
            {
                NodePValues(x.Record(i), p);
                if (Options.Combination == PValueCombination.Fisher)
                {
                    TensorPrimitives.Log(p, p);
                    scores[i] = -2.0 * TensorPrimitives.Sum<double>(p);
                }
                else
                {
                    scores[i] = -Math.Log(Math.Min(1.0, _nodes * TensorPrimitives.Min<double>(p)));
                }
            }
        }
        finally { ArrayPool<double>.Shared.Return(scratch); }
    }

    /// <summary>Per-node empirical p-values of one record's activations (tail as configured), from the histograms alone.</summary>
    public void NodePValues(ReadOnlySpan<float> activations, Span<double> pValues)
    {
        DetectorGuard.Fitted(IsFitted, Name);
        if (activations.Length != _nodes || pValues.Length < _nodes)
            throw new ArgumentException($"Expected {_nodes} activations and as many p-value slots; got {activations.Length} and {pValues.Length}.");
        int bins = Options.Bins, stride = bins + 1;
        double n = _referenceCount, scale = 1.0 / (n + 1);
        var counts = _counts!;
        var twoSided = Options.Tail == NodeTail.TwoSided;
        for (var j = 0; j < _nodes; j++)
        {
            var v = activations[j];
            double above, below;
            if (float.IsNaN(v)) { above = 0; below = 0; }
            else if (v < _minimum[j]) { above = n; below = 0; }
            else if (v == _minimum[j]) { above = n; below = _atMinimum[j]; }
            else if (v > _maximum[j]) { above = 0; below = n; }
            else
            {
                var b = Bin(j, v, out var f);
                double inBin = counts[j * bins + b], fromBin = _above[j * stride + b];
                // The node's maximum is ≥ any in-range value, so at least one reference value counts (as brute force has it).
                above = Math.Max(1, _above[j * stride + b + 1] + (1 - f) * inBin);
                below = n - fromBin + f * inBin;
            }
            var p = (1 + above) * scale;
            pValues[j] = twoSided ? Math.Min(1.0, 2 * Math.Min(p, (1 + below) * scale)) : p;
        }
    }

    public DetectorState Save() => new NodeHistogramState
    {
        Bins = Options.Bins,
        Source = Options.Source,
        Tail = Options.Tail,
        Combination = Options.Combination,
        ReferenceCount = _referenceCount,
        Minimum = _minimum,
        Maximum = _maximum,
        AtMinimum = _atMinimum,
        Counts = _counts ?? throw new InvalidOperationException($"Detector '{Name}' is not fitted; call Fit first."),
    };

    internal static NodeHistogramDetector Load(NodeHistogramState state)
    {
        state.EnsureReadable(DetectorNames.NodeHistograms);
        var d = state.Minimum.Length;
        DetectorState.Require(d > 0 && state.Bins > 0 && state.Maximum.Length == d && state.AtMinimum.Length == d && state.Counts.Length == d * state.Bins,
            DetectorNames.NodeHistograms, "minimum, maximum, at-minimum and count arrays do not match nodes × bins");
        var options = new NodeHistogramOptions { Bins = state.Bins, Source = state.Source, Tail = state.Tail, Combination = state.Combination };
        return new NodeHistogramDetector(options)
        {
            _nodes = d,
            _referenceCount = state.ReferenceCount,
            _minimum = state.Minimum,
            _maximum = state.Maximum,
            _atMinimum = state.AtMinimum,
            _counts = state.Counts,
            _above = Cumulate(state.Counts, d, state.Bins),
            _binsPerUnit = BinsPerUnit(state.Minimum, state.Maximum, state.Bins),
        };
    }

    internal FloatTensor Source(DetectorInputs inputs) =>
        Options.Source == NodeSource.Penultimate ? inputs.RequirePenultimate(Name) : inputs.RequirePatternLayer(Name);

    /// <summary>Bin of a value strictly above the node's minimum, and its fractional position in the bin.</summary>
    private int Bin(int node, float value, out double fraction)
    {
        var t = (value - (double)_minimum[node]) * _binsPerUnit[node];
        var last = Options.Bins - 1;
        var b = t >= last ? last : (int)t;
        fraction = Math.Min(1.0, t - b);
        return b;
    }

    private static double[] BinsPerUnit(float[] min, float[] max, int bins)
    {
        var result = new double[min.Length];
        for (var j = 0; j < min.Length; j++)
            result[j] = max[j] > min[j] ? bins / ((double)max[j] - min[j]) : 0;
        return result;
    }

    private static int[] Cumulate(int[] counts, int nodes, int bins)
    {
        var above = new int[nodes * (bins + 1)];
        for (var j = 0; j < nodes; j++)
            for (var b = bins - 1; b >= 0; b--)
                above[j * (bins + 1) + b] = above[j * (bins + 1) + b + 1] + counts[j * bins + b];
        return above;
    }
}
