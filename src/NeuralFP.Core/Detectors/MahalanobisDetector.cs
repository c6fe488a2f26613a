using System.Buffers;
using System.Numerics.Tensors;
using NeuralFP.Core.Detectors.Numerics;
using NeuralFP.Core.Detectors.State;
using NeuralFP.Core.Numerics;

namespace NeuralFP.Core.Detectors;

// Lee, Lee, Lee & Shin, "A Simple Unified Framework for Detecting Out-of-Distribution Samples and Adversarial Attacks", NeurIPS 2018.
/// <summary>
/// Smallest Mahalanobis distance (squared) of the penultimate features to the class means under a
/// tied, shrunk covariance: min_c (x − μ_c)ᵀ Σ*⁻¹ (x − μ_c). Stored whitened: with Σ* = L·Lᵀ the
/// score is min_c ‖L⁻¹x − L⁻¹μ_c‖², so scoring is one triangular product and C distances.
/// </summary>
public sealed class MahalanobisDetector : IOodDetector
{
    private int _features;
    private int[] _classes = [];
    private float[]? _whitening;      // L⁻¹ [D, D], lower triangular
    private float[]? _whitenedMeans;  // [C, D]
    private double _shrinkage;

    public MahalanobisDetector(MahalanobisOptions? options = null)
    {
        Options = options ?? new MahalanobisOptions();
        Options.Validate();
    }

    public MahalanobisOptions Options { get; }

    public string Name => DetectorNames.Mahalanobis;

    public string Description => $"min over {_classes.Length} class means of the squared Mahalanobis distance, tied covariance shrunk by δ = {_shrinkage:G4} ({(Options.Shrinkage is null ? "Ledoit–Wolf" : "fixed")}); keeps L⁻¹ and the whitened means";

    public bool IsFitted => _whitening is not null;

    public bool KeepsReferenceData => false;

    public long StateBytes => IsFitted ? sizeof(float) * ((long)_features * _features + (long)_classes.Length * _features) + sizeof(int) * _classes.Length : 0;

    /// <summary>The shrinkage intensity δ used (estimated or fixed).</summary>
    public double ShrinkageUsed => _shrinkage;

    public IReadOnlyList<int> Classes => _classes;

    public void Fit(DetectorInputs reference, CancellationToken cancellationToken = default)
    {
        DetectorGuard.NotEmpty(reference, Name, minimum: 2);
        var x = reference.RequirePenultimate(Name);
        var labels = reference.FitClasses(Name, Options.PreferLabels);
        int n = x.Records, d = x.RecordLength;

        var classes = labels.Distinct().Order().ToArray();
        var slot = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        var means = new double[classes.Length * d];
        var counts = new int[classes.Length];
        var row = new double[d];
        for (var i = 0; i < n; i++)
        {
            var s = slot[labels[i]];
            TensorPrimitives.ConvertChecked(x.Record(i), row);
            var m = means.AsSpan(s * d, d);
            TensorPrimitives.Add(m, row, m);
            counts[s]++;
        }
        for (var s = 0; s < classes.Length; s++) TensorPrimitives.Divide(means.AsSpan(s * d, d), counts[s], means.AsSpan(s * d, d));

        // Tied covariance of the class-centred features, plus Σ‖r‖⁴ for the Ledoit–Wolf estimate.
        var cov = new double[d * d];
        double fourthMoments = 0;
        for (var i = 0; i < n; i++)
        {
            if ((i & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            TensorPrimitives.ConvertChecked(x.Record(i), row);
            TensorPrimitives.Subtract(row, means.AsSpan(slot[labels[i]] * d, d), row);
            for (var a = 0; a < d; a++)
            {
                var line = cov.AsSpan(a * d, d);
                VectorMath.AddScaled(line, row, row[a]); // d calls per record: not TensorPrimitives' generic code, which starts at tier 0
            }
            var sq = TensorPrimitives.SumOfSquares<double>(row);
            fourthMoments += sq * sq;
        }
        TensorPrimitives.Divide(cov, n, cov);

        double trace = 0;
        for (var a = 0; a < d; a++) trace += cov[a * d + a];
        var mu = trace / d;
        if (!(mu > 0))
            throw new ArgumentException($"Detector '{Name}' cannot fit: the penultimate features do not vary within classes (trace of the covariance is {trace}).");
        var delta = Options.Shrinkage ?? LedoitWolf(cov, d, n, mu, fourthMoments);
        var shrunk = new double[d * d];
        for (var a = 0; a < d * d; a++) shrunk[a] = (1 - delta) * cov[a];
        for (var a = 0; a < d; a++) shrunk[a * d + a] += delta * mu;

        var l = Cholesky.Factor(shrunk, d)
            ?? throw new ArgumentException($"Detector '{Name}' cannot fit: the tied covariance (shrinkage δ = {delta:G4}) is singular. Set Shrinkage above 0 or leave it null for Ledoit–Wolf.");
        var inverse = Cholesky.InvertLower(l, d);
        var whitened = new float[classes.Length * d];
        for (var s = 0; s < classes.Length; s++)
            for (var a = 0; a < d; a++)
                whitened[s * d + a] = (float)TensorPrimitives.Dot<double>(inverse.AsSpan(a * d, a + 1), means.AsSpan(s * d, a + 1));

        _features = d;
        _classes = classes;
        _whitening = inverse.Select(v => (float)v).ToArray();
        _whitenedMeans = whitened;
        _shrinkage = delta;
    }

    public void Score(DetectorInputs records, Span<double> scores)
    {
        DetectorGuard.Fitted(IsFitted, Name);
        DetectorGuard.ScoreSpan(records, scores);
        var x = records.RequirePenultimate(Name);
        DetectorGuard.Width(x, _features, Name, "penultimate features");
        int d = _features, classes = _classes.Length;
        var whitening = _whitening!;
        var means = _whitenedMeans!;
        var scratch = ArrayPool<float>.Shared.Rent(2 * d);
        try
        {
            var z = scratch.AsSpan(0, d);
            var diff = scratch.AsSpan(d, d);
            for (var i = 0; i < records.Records; i++)
            {
                var row = x.Record(i);
                for (var a = 0; a < d; a++) z[a] = TensorPrimitives.Dot(whitening.AsSpan(a * d, a + 1), row[..(a + 1)]);
                var best = double.PositiveInfinity;
                for (var c = 0; c < classes; c++)
                {
                    TensorPrimitives.Subtract(z, means.AsSpan(c * d, d), diff);
                    var distance = TensorPrimitives.SumOfSquares<float>(diff);
                    if (distance < best) best = distance;
                }
                scores[i] = best;
            }
        }
        finally { ArrayPool<float>.Shared.Return(scratch); }
    }

    public DetectorState Save() => new MahalanobisState
    {
        Features = _features,
        Shrinkage = _shrinkage,
        ShrinkageEstimated = Options.Shrinkage is null,
        PreferLabels = Options.PreferLabels,
        Classes = _classes,
        Whitening = _whitening ?? throw new InvalidOperationException($"Detector '{Name}' is not fitted; call Fit first."),
        WhitenedMeans = _whitenedMeans!,
    };

    internal static MahalanobisDetector Load(MahalanobisState state)
    {
        state.EnsureReadable(DetectorNames.Mahalanobis);
        DetectorState.Require(state.Whitening.Length == state.Features * state.Features
            && state.WhitenedMeans.Length == state.Classes.Length * state.Features && state.Classes.Length > 0,
            DetectorNames.Mahalanobis, "whitening or means do not match the feature and class counts");
        var options = new MahalanobisOptions { Shrinkage = state.ShrinkageEstimated ? null : state.Shrinkage, PreferLabels = state.PreferLabels };
        return new MahalanobisDetector(options)
        {
            _features = state.Features,
            _classes = state.Classes,
            _whitening = state.Whitening,
            _whitenedMeans = state.WhitenedMeans,
            _shrinkage = state.Shrinkage,
        };
    }

    /// <summary>
    /// Ledoit &amp; Wolf (2004) intensity toward μI: δ = min(b̄², d²)/d² with d² = ‖S − μI‖²_F and
    /// b̄² = (1/n²)Σ_k‖r_k r_kᵀ − S‖²_F, which expands to (Σ_k‖r_k‖⁴/n − ‖S‖²_F)/n.
    /// </summary>
    internal static double LedoitWolf(ReadOnlySpan<double> cov, int d, int n, double mu, double fourthMoments)
    {
        var frobenius = TensorPrimitives.SumOfSquares(cov);
        var d2 = frobenius - 2 * mu * (mu * d) + mu * mu * d; // ‖S‖² − 2μ·tr S + μ²·D
        if (!(d2 > 1e-300)) return 1.0;
        var b2 = Math.Max(0, (fourthMoments / n - frobenius) / n);
        return Math.Min(b2, d2) / d2;
    }
}
