using System.Buffers;
using System.Numerics.Tensors;
using NeuralFP.Core.Detectors.Numerics;
using NeuralFP.Core.Detectors.State;
using NeuralFP.Core.Onnx;

namespace NeuralFP.Core.Detectors;

// Sun & Li, "DICE: Leveraging Sparsification for Out-of-Distribution Detection", ECCV 2022.
/// <summary>
/// Energy of the logits recomputed through a sparsified last layer: the contribution of weight
/// W[d,k] is mean_ref(x_d)·W[d,k]; only the top (100 − p)% contributions keep their weight.
/// Reads the penultimate features; the masked layer (<see cref="MaskedWeight"/>, <see cref="Bias"/>)
/// is a plain Gemm, so a scorer graph can compute it in the same pass as the model.
/// </summary>
public sealed class DiceDetector : IOodDetector
{
    private readonly LinearHead _head;
    private float[]? _maskedWeight;   // [D, K], persisted
    private float[]? _transposed;     // [K, D], rows contiguous for per-class dot products
    private float[]? _meanActivation; // [D]
    private int _kept;

    public DiceDetector(LinearHead head, DiceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (head.Weight.Length != head.Features * head.Classes || head.Bias.Length != head.Classes)
            throw new ArgumentException($"The linear head's weight holds {head.Weight.Length} values and its bias {head.Bias.Length}, which do not fit [{head.Features},{head.Classes}].", nameof(head));
        Options = options ?? new DiceOptions();
        Options.Validate();
        _head = head;
    }

    public DiceOptions Options { get; }

    public string Name => DetectorNames.Dice;

    public string Description => $"energy of the last layer with the bottom {Options.Percentile:G}% of weight contributions zeroed ({_kept} of {_head.Features * _head.Classes} weights kept); keeps the masked [{_head.Features},{_head.Classes}] layer";

    public bool IsFitted => _maskedWeight is not null;

    public bool KeepsReferenceData => false;

    public long StateBytes => IsFitted ? sizeof(float) * ((long)_head.Features * _head.Classes + _head.Classes + _head.Features) : 0;

    public int Features => _head.Features;

    public int Classes => _head.Classes;

    /// <summary>The tensor whose values <see cref="Score"/> expects as <see cref="DetectorInputs.Penultimate"/>.</summary>
    public string PenultimateTensor => _head.PenultimateTensor;

    /// <summary>Sparsified weight [D, K] (row-major); zeros where the contribution was cut.</summary>
    public ReadOnlyMemory<float> MaskedWeight => _maskedWeight ?? throw NotFitted();

    public ReadOnlyMemory<float> Bias => _head.Bias;

    /// <summary>Number of weights kept.</summary>
    public int KeptWeights => _kept;

    public void Fit(DetectorInputs reference, CancellationToken cancellationToken = default)
    {
        DetectorGuard.NotEmpty(reference, Name);
        var features = reference.RequirePenultimate(Name);
        DetectorGuard.Width(features, _head.Features, Name, "penultimate features (the linear head's input)");
        var mean = ColumnMoments.Mean(features);
        cancellationToken.ThrowIfCancellationRequested();

        int d = _head.Features, k = _head.Classes, total = d * k;
        var contribution = new double[total];
        for (var i = 0; i < d; i++)
            for (var j = 0; j < k; j++) contribution[i * k + j] = mean[i] * _head.Weight[i * k + j];
        // Keep exactly the top share by count (ties broken by position) so p = 0 keeps every weight.
        var kept = Math.Max(1, (int)Math.Round((100 - Options.Percentile) / 100 * total, MidpointRounding.AwayFromZero));
        var order = Enumerable.Range(0, total).ToArray();
        Array.Sort(order, (a, b) => contribution[b] != contribution[a] ? contribution[b].CompareTo(contribution[a]) : a.CompareTo(b));
        var masked = new float[total];
        for (var n = 0; n < kept; n++) masked[order[n]] = _head.Weight[order[n]];
        SetState(masked, mean.Select(v => (float)v).ToArray(), kept);
    }

    public void Score(DetectorInputs records, Span<double> scores)
    {
        DetectorGuard.Fitted(IsFitted, Name);
        DetectorGuard.ScoreSpan(records, scores);
        var features = records.RequirePenultimate(Name);
        DetectorGuard.Width(features, _head.Features, Name, "penultimate features");
        int d = _head.Features, k = _head.Classes;
        var transposed = _transposed!;
        var bias = _head.Bias;
        var scratch = ArrayPool<float>.Shared.Rent(2 * k);
        try
        {
            var logits = scratch.AsSpan(0, k);
            var work = scratch.AsSpan(k, k);
            for (var i = 0; i < records.Records; i++)
            {
                var x = features.Record(i);
                for (var c = 0; c < k; c++) logits[c] = bias[c] + TensorPrimitives.Dot(x, transposed.AsSpan(c * d, d));
                scores[i] = -LogitMath.LogSumExp(logits, work);
            }
        }
        finally { ArrayPool<float>.Shared.Return(scratch); }
    }

    public DetectorState Save() => new DiceState
    {
        Percentile = Options.Percentile,
        PenultimateTensor = _head.PenultimateTensor,
        LogitsTensor = _head.LogitsTensor,
        OutputName = _head.OutputName,
        Features = _head.Features,
        Classes = _head.Classes,
        KeptWeights = _kept,
        MaskedWeight = _maskedWeight ?? throw NotFitted(),
        Bias = _head.Bias,
        MeanActivation = _meanActivation!,
    };

    internal static DiceDetector Load(DiceState state)
    {
        state.EnsureReadable(DetectorNames.Dice);
        DetectorState.Require(state.MaskedWeight.Length == state.Features * state.Classes && state.Bias.Length == state.Classes
            && state.MeanActivation.Length == state.Features, DetectorNames.Dice, "weight, bias and mean sizes do not match [features, classes]");
        // The head's own weight is not persisted; the masked one stands in for it (Fit is not repeated on loaded state).
        var head = new LinearHead(state.PenultimateTensor, state.LogitsTensor, state.OutputName, state.Features, state.Classes, state.MaskedWeight, state.Bias);
        var detector = new DiceDetector(head, new DiceOptions { Percentile = state.Percentile });
        detector.SetState(state.MaskedWeight, state.MeanActivation, state.KeptWeights);
        return detector;
    }

    private void SetState(float[] masked, float[] mean, int kept)
    {
        int d = _head.Features, k = _head.Classes;
        var transposed = new float[d * k];
        for (var i = 0; i < d; i++)
            for (var j = 0; j < k; j++) transposed[j * d + i] = masked[i * k + j];
        _maskedWeight = masked;
        _transposed = transposed;
        _meanActivation = mean;
        _kept = kept;
    }

    private InvalidOperationException NotFitted() => new($"Detector '{Name}' is not fitted; call Fit on reference records first.");
}
