using NeuralFP.Core.Detectors;
using NeuralFP.Core.Detectors.Numerics;

namespace NeuralFP.Core.Verdicts;

/// <summary>How per-layer reconstruction errors become one verdict (<see cref="Fingerprints.FingerprintOptions.Integration"/>).</summary>
public static class IntegrationKinds
{
    /// <summary>NeuralFP's rule: OOD iff any layer's error leaves its interval (<see cref="OneOutRule"/>).</summary>
    public const string OneOut = "one-out";

    /// <summary>Σ_l −ln p_l over the layers (Fisher's statistic as a score), thresholded on held-out errors.</summary>
    public const string Fisher = "fisher";

    /// <summary>Squared Mahalanobis distance of the vector of per-layer log errors from the held-out ones.</summary>
    public const string Gaussian = "gaussian";

    public static IReadOnlyList<string> All { get; } = [OneOut, Fisher, Gaussian];
}

/// <summary>A layer left out of the integrated score, and why (recorded in fingerprint.json).</summary>
public sealed record ExcludedLayer(string Layer, string Reason);

/// <summary>
/// Integrates the per-layer errors of a fingerprint into one score whose threshold is calibrated on held-out
/// in-distribution errors only (the records the autoencoders did not train on), for the rules other than one-out.
/// Layers whose held-out errors are (near-)constant are left out: their p-values tie, and a tie block carries no evidence.
/// Serialisable with System.Text.Json.
/// </summary>
public sealed class LayerIntegration
{
    private const double Ln10 = 2.302585092994046;

    // Errors are ≥ 0; log(0) is kept finite with this floor (relative to the layer's median held-out error).
    private const double LogFloorRelative = 1e-6;

    public LayerIntegration(string kind, bool[] included, double[] sortedHeldOutScores, double targetFpr, double[]? logMean = null, double[]? inverseCholesky = null, double[]? logFloor = null, IReadOnlyList<ExcludedLayer>? excluded = null)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(included);
        ArgumentNullException.ThrowIfNull(sortedHeldOutScores);
        if (kind is not (IntegrationKinds.Fisher or IntegrationKinds.Gaussian))
            throw new ArgumentException($"Integration '{kind}' is not a calibrated score; use {IntegrationKinds.Fisher} or {IntegrationKinds.Gaussian} ({IntegrationKinds.OneOut} is the OneOutRule itself).", nameof(kind));
        if (!included.Any(i => i)) throw new ArgumentException("An integration needs at least one included layer.", nameof(included));
        int k = included.Count(i => i);
        if (kind == IntegrationKinds.Gaussian && (logMean?.Length != k || inverseCholesky?.Length != k * k || logFloor?.Length != included.Length))
            throw new ArgumentException($"A Gaussian integration needs a mean of {k} log errors, a {k}x{k} inverse Cholesky factor and one log floor per layer.");
        Kind = kind;
        Included = (bool[])included.Clone();
        SortedHeldOutScores = sortedHeldOutScores;
        TargetFpr = targetFpr;
        LogMean = logMean;
        InverseCholesky = inverseCholesky;
        LogFloor = logFloor;
        Excluded = excluded ?? [];
        Calibration = ScoreCalibration.Load(new Detectors.State.ScoreCalibrationState { TargetFpr = targetFpr, SortedScores = sortedHeldOutScores });
    }

    public string Kind { get; }

    /// <summary>Per fingerprint layer: does it count in the score.</summary>
    public bool[] Included { get; }

    public IReadOnlyList<ExcludedLayer> Excluded { get; }

    /// <summary>Integrated scores of the held-out records, sorted (the threshold and p-values come from them).</summary>
    public double[] SortedHeldOutScores { get; }

    public double TargetFpr { get; }

    public double[]? LogMean { get; }

    public double[]? InverseCholesky { get; }

    public double[]? LogFloor { get; }

    internal ScoreCalibration Calibration { get; }

    public double Threshold => Calibration.Threshold;

    public double RealisedFpr => Calibration.RealisedFpr;

    /// <summary>Fits the integration on held-out errors ([layer][record]) whose per-layer distributions <paramref name="rule"/> holds.</summary>
    public static LayerIntegration Calibrate(string kind, OneOutRule rule, IReadOnlyList<float[]> heldOutErrors, double targetFpr)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(heldOutErrors);
        var layers = rule.Layers.Count;
        var included = new bool[layers];
        var excluded = new List<ExcludedLayer>();
        for (var l = 0; l < layers; l++)
        {
            var d = rule.Distributions[l];
            double lo = d.Quantile(0.01), hi = d.Quantile(0.99), mid = Math.Abs(d.Quantile(0.5));
            included[l] = hi - lo > 1e-6 * Math.Max(mid, 1e-30);
            if (!included[l]) excluded.Add(new ExcludedLayer(rule.Layers[l], $"held-out errors are (near-)constant (1%..99% quantiles {lo:G4}..{hi:G4}): ties carry no evidence"));
        }
        if (!included.Any(i => i))
        {
            Array.Fill(included, true);
            excluded.Clear();
        }

        int n = heldOutErrors[0].Length;
        double[]? mean = null, inverse = null, floor = null;
        if (kind == IntegrationKinds.Gaussian)
            (mean, inverse, floor) = FitGaussian(rule, heldOutErrors, included);
        var draft = new LayerIntegration(kind, included, [0], targetFpr, mean, inverse, floor, excluded);
        var scores = new double[n];
        var record = new float[layers];
        for (var r = 0; r < n; r++)
        {
            for (var l = 0; l < layers; l++) record[l] = heldOutErrors[l][r];
            scores[r] = draft.Score(rule, record);
        }
        Array.Sort(scores);
        return new LayerIntegration(kind, included, scores, targetFpr, mean, inverse, floor, excluded);
    }

    /// <summary>Higher = more OOD. Allocation-free for the Fisher rule; the Gaussian rule uses a small stack buffer.</summary>
    public double Score(OneOutRule rule, ReadOnlySpan<float> layerErrors)
    {
        if (Kind == IntegrationKinds.Fisher)
        {
            double sum = 0;
            for (var l = 0; l < Included.Length; l++)
            {
                if (!Included[l]) continue;
                double e = Clamp(layerErrors[l]);
                var d = rule.Distributions[l];
                sum += -Math.Log(d.PValue(e, rule.TwoSided)) + Ln10 * d.TailDecades(e, rule.TwoSided);
            }
            return sum;
        }
        int k = LogMean!.Length;
        Span<double> centred = stackalloc double[k];
        for (int l = 0, i = 0; l < Included.Length; l++)
        {
            if (!Included[l]) continue;
            centred[i] = Math.Log(Math.Max(Clamp(layerErrors[l]), LogFloor![l])) - LogMean[i];
            i++;
        }
        // ||L⁻¹ (x − μ)||² with L⁻¹ lower-triangular, row-major.
        double distance = 0;
        for (var i = 0; i < k; i++)
        {
            double z = 0;
            for (var j = 0; j <= i; j++) z += InverseCholesky![i * k + j] * centred[j];
            distance += z * z;
        }
        return distance;
    }

    public bool IsOod(double score) => Calibration.IsOod(score);

    public double PValue(double score) => Calibration.PValue(score);

    private static (double[] Mean, double[] InverseCholesky, double[] Floor) FitGaussian(OneOutRule rule, IReadOnlyList<float[]> errors, bool[] included)
    {
        int layers = included.Length, n = errors[0].Length, k = included.Count(i => i);
        var floor = new double[layers];
        for (var l = 0; l < layers; l++) floor[l] = Math.Max(LogFloorRelative * Math.Abs(rule.Distributions[l].Quantile(0.5)), 1e-30);
        var logs = new double[n * k];
        for (int l = 0, i = 0; l < layers; l++)
        {
            if (!included[l]) continue;
            for (var r = 0; r < n; r++) logs[r * k + i] = Math.Log(Math.Max(Clamp(errors[l][r]), floor[l]));
            i++;
        }
        var mean = new double[k];
        for (var r = 0; r < n; r++) for (var i = 0; i < k; i++) mean[i] += logs[r * k + i];
        for (var i = 0; i < k; i++) mean[i] /= n;
        var cov = new double[k * k];
        for (var r = 0; r < n; r++)
            for (var i = 0; i < k; i++)
            {
                double a = logs[r * k + i] - mean[i];
                for (var j = 0; j <= i; j++) cov[i * k + j] += a * (logs[r * k + j] - mean[j]);
            }
        double trace = 0;
        for (var i = 0; i < k; i++) trace += cov[i * k + i] / Math.Max(1, n - 1);
        // Light shrinkage towards the diagonal keeps the factor stable when layers are nearly collinear.
        for (var i = 0; i < k; i++)
            for (var j = 0; j <= i; j++)
            {
                double v = cov[i * k + j] / Math.Max(1, n - 1);
                v = i == j ? v + 1e-3 * trace / k + 1e-12 : 0.95 * v;
                cov[i * k + j] = v;
                cov[j * k + i] = v;
            }
        var lower = Cholesky.Factor(cov, k) ?? throw new InvalidOperationException("The covariance of the per-layer log errors is not positive definite.");
        return (mean, Cholesky.InvertLower(lower, k), floor);
    }

    private static double Clamp(float error) =>
        float.IsNaN(error) ? float.MaxValue : Math.Clamp(error, float.MinValue, float.MaxValue);
}
