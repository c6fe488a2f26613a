using System.Buffers;
using NeuralFP.Core.Detectors.Numerics;
using NeuralFP.Core.Detectors.State;

namespace NeuralFP.Core.Detectors;

// Hendrycks & Gimpel, "A Baseline for Detecting Misclassified and Out-of-Distribution Examples in Neural Networks", ICLR 2017.
/// <summary>Maximum softmax probability; the score is its negative so that higher = more OOD. Stateless.</summary>
public sealed class MaxSoftmaxDetector : IOodDetector
{
    private int _classes;

    public string Name => DetectorNames.MaxSoftmax;

    public string Description => "score = −max softmax probability of the logits; keeps no state";

    public bool IsFitted => true;

    public bool KeepsReferenceData => false;

    public long StateBytes => 0;

    /// <summary>Only records the class count so later batches can be checked against it.</summary>
    public void Fit(DetectorInputs reference, CancellationToken cancellationToken = default)
    {
        DetectorGuard.NotEmpty(reference, Name);
        _classes = reference.RequireLogits(Name).RecordLength;
    }

    public void Score(DetectorInputs records, Span<double> scores)
    {
        DetectorGuard.ScoreSpan(records, scores);
        var logits = records.RequireLogits(Name);
        if (_classes > 0) DetectorGuard.Width(logits, _classes, Name, "logits");
        var scratch = ArrayPool<float>.Shared.Rent(logits.RecordLength);
        try
        {
            for (var i = 0; i < records.Records; i++) scores[i] = -LogitMath.MaxSoftmax(logits.Record(i), scratch);
        }
        finally { ArrayPool<float>.Shared.Return(scratch); }
    }

    public DetectorState Save() => new MaxSoftmaxState { Classes = _classes };

    internal static MaxSoftmaxDetector Load(MaxSoftmaxState state)
    {
        state.EnsureReadable(DetectorNames.MaxSoftmax);
        return new MaxSoftmaxDetector { _classes = state.Classes };
    }
}
