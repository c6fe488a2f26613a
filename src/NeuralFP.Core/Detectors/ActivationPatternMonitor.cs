using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using NeuralFP.Core.Detectors.Numerics;
using NeuralFP.Core.Detectors.State;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Detectors;

// Cheng, Nührenberg & Yasuoka, "Runtime Monitoring Neuron Activation Patterns", DATE 2019.
/// <summary>
/// Binarised on/off patterns of one (ReLU) layer, stored per predicted class as bitsets (distinct
/// patterns only). Score = Hamming distance from the record's pattern to the nearest stored pattern
/// of its predicted class (the layer's width when that class has none); outside the monitor when &gt; γ.
/// A layer that is not ReLU-like (fewer than 5% of the reference activations at or below the threshold, e.g. a
/// global-average-pool head or a Tanh) would give all-ones patterns; there each unit is binarised at its own
/// reference median instead.
/// </summary>
public sealed class ActivationPatternMonitor : IOodDetector
{
    private int _units;
    private int _words;
    private int[] _classOffsets = []; // patterns of class c: [_classOffsets[c], _classOffsets[c + 1])
    private ulong[]? _patterns;       // [pattern count, _words]
    private float[]? _unitThresholds; // per-unit medians when the layer is not ReLU-like; null = the global threshold

    public ActivationPatternMonitor(ActivationPatternOptions? options = null)
    {
        Options = options ?? new ActivationPatternOptions();
        Options.Validate();
    }

    public ActivationPatternOptions Options { get; }

    public string Name => DetectorNames.ActivationPatterns;

    public string Description => $"Hamming distance to the nearest of {PatternCount} distinct on/off patterns ({_units} units, {Classes} classes, {(_unitThresholds is null ? $"on above {Options.ActivationThreshold}" : "on above each unit's reference median: the layer is not ReLU-like")}) of the predicted class; outside at distance > γ = {Options.Gamma}; keeps bitsets";

    /// <summary>True when units are binarised at their reference medians (the watched layer is not ReLU-like).</summary>
    public bool UsesUnitMedians => _unitThresholds is not null;

    public bool IsFitted => _patterns is not null;

    public bool KeepsReferenceData => false;

    public long StateBytes => _patterns is null ? 0 : sizeof(ulong) * (long)_patterns.Length + sizeof(int) * (long)_classOffsets.Length;

    public int Units => _units;

    public int Classes => Math.Max(0, _classOffsets.Length - 1);

    public int PatternCount => _words == 0 || _patterns is null ? 0 : _patterns.Length / _words;

    public int PatternsOfClass(int c) => (uint)c < (uint)Classes ? _classOffsets[c + 1] - _classOffsets[c] : 0;

    /// <summary>The monitor's own verdict: no stored pattern of the class within Hamming distance γ.</summary>
    public bool IsOutsideGamma(double score) => score > Options.Gamma;

    public void Fit(DetectorInputs reference, CancellationToken cancellationToken = default)
    {
        DetectorGuard.NotEmpty(reference, Name);
        var layer = reference.RequirePatternLayer(Name);
        var labels = reference.FitClasses(Name, Options.PreferLabels);
        int n = layer.Records, units = layer.RecordLength, words = (units + 63) / 64;
        if (labels.Min() < 0) throw new ArgumentException($"Detector '{Name}' got a negative class label; labels must be 0..K−1.");
        var classes = Math.Max(labels.Max() + 1, reference.Logits?.RecordLength ?? 0);

        _unitThresholds = IsReluLike(layer, Options.ActivationThreshold) ? null : UnitMedians(layer);
        var all = new ulong[n * words];
        for (var i = 0; i < n; i++)
        {
            if ((i & 4095) == 0) cancellationToken.ThrowIfCancellationRequested();
            Binarise(layer.Record(i), all.AsSpan(i * words, words));
        }

        // Sort by (class, pattern) so duplicates sit together and each class's patterns are contiguous.
        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) =>
        {
            if (labels[a] != labels[b]) return labels[a].CompareTo(labels[b]);
            var pa = all.AsSpan(a * words, words);
            var pb = all.AsSpan(b * words, words);
            var cmp = pa.SequenceCompareTo(pb);
            return cmp != 0 ? cmp : a.CompareTo(b);
        });
        var kept = new List<int>(n);
        var offsets = new int[classes + 1];
        for (var idx = 0; idx < n; idx++)
        {
            var r = order[idx];
            if (idx > 0 && labels[order[idx - 1]] == labels[r]
                && all.AsSpan(order[idx - 1] * words, words).SequenceEqual(all.AsSpan(r * words, words))) continue;
            kept.Add(r);
            offsets[labels[r] + 1]++;
        }
        for (var c = 0; c < classes; c++) offsets[c + 1] += offsets[c];
        var patterns = new ulong[kept.Count * words];
        for (var p = 0; p < kept.Count; p++) all.AsSpan(kept[p] * words, words).CopyTo(patterns.AsSpan(p * words, words));

        _units = units;
        _words = words;
        _classOffsets = offsets;
        _patterns = patterns;
    }

    public void Score(DetectorInputs records, Span<double> scores)
    {
        DetectorGuard.Fitted(IsFitted, Name);
        DetectorGuard.ScoreSpan(records, scores);
        var layer = records.RequirePatternLayer(Name);
        DetectorGuard.Width(layer, _units, Name, "the watched layer's activations");
        var logits = records.RequireLogits(Name);
        var words = _words;
        var patterns = _patterns!;
        var scratch = ArrayPool<ulong>.Shared.Rent(words);
        try
        {
            var pattern = scratch.AsSpan(0, words);
            for (var i = 0; i < records.Records; i++)
            {
                Binarise(layer.Record(i), pattern);
                var c = LogitMath.ArgMax(logits.Record(i));
                long best = _units;
                if (c < Classes)
                {
                    for (int p = _classOffsets[c], end = _classOffsets[c + 1]; p < end && best > 0; p++)
                    {
                        var distance = TensorPrimitives.HammingBitDistance<ulong>(pattern, patterns.AsSpan(p * words, words));
                        if (distance < best) best = distance;
                    }
                }
                scores[i] = best;
            }
        }
        finally { ArrayPool<ulong>.Shared.Return(scratch); }
    }

    public DetectorState Save() => new ActivationPatternState
    {
        Units = _units,
        ActivationThreshold = Options.ActivationThreshold,
        Gamma = Options.Gamma,
        PreferLabels = Options.PreferLabels,
        ClassOffsets = _classOffsets,
        UnitThresholds = _unitThresholds,
        Patterns = _patterns ?? throw new InvalidOperationException($"Detector '{Name}' is not fitted; call Fit first."),
    };

    internal static ActivationPatternMonitor Load(ActivationPatternState state)
    {
        state.EnsureReadable(DetectorNames.ActivationPatterns);
        var words = (state.Units + 63) / 64;
        DetectorState.Require(state.Units > 0 && state.ClassOffsets.Length >= 2 && state.ClassOffsets[0] == 0
            && state.ClassOffsets[^1] * words == state.Patterns.Length, DetectorNames.ActivationPatterns, "class offsets do not match the stored patterns");
        var options = new ActivationPatternOptions { ActivationThreshold = state.ActivationThreshold, Gamma = state.Gamma, PreferLabels = state.PreferLabels };
        return new ActivationPatternMonitor(options)
        {
            _units = state.Units,
            _words = words,
            _classOffsets = state.ClassOffsets,
            _patterns = state.Patterns,
            _unitThresholds = state.UnitThresholds is { } t && t.Length == state.Units ? t : null,
        };
    }

    private void Binarise(ReadOnlySpan<float> activations, Span<ulong> bits)
    {
        if (_unitThresholds is null)
        {
            Binarise(activations, Options.ActivationThreshold, bits);
            return;
        }
        bits.Clear();
        for (var i = 0; i < activations.Length; i++)
            if (activations[i] > _unitThresholds[i]) bits[i >> 6] |= 1UL << (i & 63);
    }

    /// <summary>ReLU-like: at least 5% of the reference activations are at or below the threshold (units do switch off).</summary>
    private static bool IsReluLike(FloatTensor layer, float threshold)
    {
        long off = 0;
        foreach (var v in layer.Data) if (v <= threshold) off++;
        return off >= 0.05 * layer.Data.Length;
    }

    private static float[] UnitMedians(FloatTensor layer)
    {
        int n = layer.Records, units = layer.RecordLength;
        var medians = new float[units];
        var column = new float[n];
        for (var u = 0; u < units; u++)
        {
            for (var i = 0; i < n; i++) column[i] = layer.Data[i * units + u];
            Array.Sort(column);
            medians[u] = column[n / 2];
        }
        return medians;
    }

    /// <summary>Bit u of the pattern is set when activation u is above the threshold (NaN counts as off).</summary>
    internal static void Binarise(ReadOnlySpan<float> activations, float threshold, Span<ulong> bits)
    {
        bits.Clear();
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var t = Vector256.Create(threshold);
            // Blocks of 8 start at multiples of 8, so each block's 8 bits land inside one 64-bit word.
            for (; i + 8 <= activations.Length; i += 8)
            {
                var mask = Vector256.GreaterThan(Vector256.Create(activations.Slice(i, 8)), t).ExtractMostSignificantBits();
                bits[i >> 6] |= (ulong)mask << (i & 63);
            }
        }
        for (; i < activations.Length; i++)
            if (activations[i] > threshold) bits[i >> 6] |= 1UL << (i & 63);
    }
}
