using System.Buffers;
using System.Numerics.Tensors;
using NeuralFP.Core.Detectors.Numerics;
using NeuralFP.Core.Detectors.State;

namespace NeuralFP.Core.Detectors;

// Per-unit Gaussian monitoring of the penultimate layer: KL(N(m, s²) ‖ N(μ, σ²)) = ln(σ/s) + (s² + (m − μ)²)/(2σ²) − ½ per unit.
/// <summary>
/// Mean and variance of each penultimate unit over the reference set. Per record the score is the
/// mean squared standardised deviation, (1/D)·Σ_j ((x_j − μ_j)/σ_j)²; per batch,
/// <see cref="ScoreBatch"/> is the KL divergence from the batch's per-unit Gaussian to the
/// reference's, summed over units (a shift monitor for a stream of records).
/// </summary>
public sealed class GaussianKlDetector : IOodDetector
{
    private float[]? _mean;
    private float[] _variance = [];
    private float[] _inverseStd = [];

    public string Name => DetectorNames.GaussianKl;

    public string Description => $"per record: mean squared z-score over {_variance.Length} penultimate units; per batch: Σ_units KL(batch Gaussian ‖ reference Gaussian); keeps a mean and variance per unit";

    public bool IsFitted => _mean is not null;

    public bool KeepsReferenceData => false;

    public long StateBytes => _mean is null ? 0 : sizeof(float) * 2L * _mean.Length;

    public void Fit(DetectorInputs reference, CancellationToken cancellationToken = default)
    {
        DetectorGuard.NotEmpty(reference, Name, minimum: 2);
        var x = reference.RequirePenultimate(Name);
        var (mean, variance) = ColumnMoments.MeanAndVariance(x);
        SetState(mean.Select(v => (float)v).ToArray(), Floor(variance).Select(v => (float)v).ToArray());
    }

    public void Score(DetectorInputs records, Span<double> scores)
    {
        DetectorGuard.Fitted(IsFitted, Name);
        DetectorGuard.ScoreSpan(records, scores);
        var x = records.RequirePenultimate(Name);
        var d = _mean!.Length;
        DetectorGuard.Width(x, d, Name, "penultimate features");
        var scratch = ArrayPool<float>.Shared.Rent(d);
        try
        {
            var z = scratch.AsSpan(0, d);
            for (var i = 0; i < records.Records; i++)
            {
                TensorPrimitives.Subtract(x.Record(i), _mean, z);
                TensorPrimitives.Multiply(z, _inverseStd, z);
                scores[i] = TensorPrimitives.SumOfSquares<float>(z) / d;
            }
        }
        finally { ArrayPool<float>.Shared.Return(scratch); }
    }

    /// <summary>
    /// Σ_j KL(N(m_j, s_j²) ‖ N(μ_j, σ_j²)) with m, s² the batch's per-unit mean and population
    /// variance (floored like the reference's); 0 when the batch matches the reference, higher = more shifted.
    /// </summary>
    public double ScoreBatch(DetectorInputs batch)
    {
        DetectorGuard.Fitted(IsFitted, Name);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Records < 2)
            throw new ArgumentException($"Detector '{Name}' needs at least 2 records in a batch to estimate its variance; got {batch.Records}.", nameof(batch));
        var x = batch.RequirePenultimate(Name);
        DetectorGuard.Width(x, _mean!.Length, Name, "penultimate features");
        var (m, s2) = ColumnMoments.MeanAndVariance(x);
        s2 = Floor(s2);
        double kl = 0;
        for (var j = 0; j < m.Length; j++)
        {
            double mu = _mean[j], sigma2 = _variance[j], shift = m[j] - mu;
            kl += 0.5 * (Math.Log(sigma2 / s2[j]) + (s2[j] + shift * shift) / sigma2 - 1);
        }
        return kl;
    }

    public DetectorState Save() => new GaussianKlState
    {
        Mean = _mean ?? throw new InvalidOperationException($"Detector '{Name}' is not fitted; call Fit first."),
        Variance = _variance,
    };

    internal static GaussianKlDetector Load(GaussianKlState state)
    {
        state.EnsureReadable(DetectorNames.GaussianKl);
        DetectorState.Require(state.Mean.Length > 0 && state.Mean.Length == state.Variance.Length && state.Variance.All(v => v > 0),
            DetectorNames.GaussianKl, "mean and variance differ in length or a variance is not positive");
        var detector = new GaussianKlDetector();
        detector.SetState(state.Mean, state.Variance);
        return detector;
    }

    /// <summary>
    /// Dead units (variance 0, common after ReLU) would make every deviation infinite; floor each
    /// variance at 1e-6 of the mean variance (and an absolute 1e-12).
    /// </summary>
    private static double[] Floor(double[] variance)
    {
        var floor = Math.Max(1e-12, 1e-6 * variance.Average());
        return variance.Select(v => Math.Max(v, floor)).ToArray();
    }

    private void SetState(float[] mean, float[] variance)
    {
        _mean = mean;
        _variance = variance;
        _inverseStd = variance.Select(v => (float)(1.0 / Math.Sqrt(v))).ToArray();
    }
}
