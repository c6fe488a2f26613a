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

    /// <summary>The Gaussian rule with independent statistics: Σ of squared standardised log values, so statistics
    /// that rise together add up instead of being explained away by their correlation.</summary>
    public const string GaussianDiagonal = "gaussian-diagonal";

    /// <summary>The Gaussian rule with one mean per predicted class (shrunk towards the overall mean) and the pooled
    /// within-class covariance: a record is measured from the statistics typical of the class the model gives it.</summary>
    public const string GaussianPerClass = "gaussian-per-class";

    public static IReadOnlyList<string> All { get; } = [OneOut, Fisher, Gaussian, GaussianDiagonal, GaussianPerClass];

    /// <summary>A density over the per-statistic log values (full or diagonal covariance, one mean or one per class).</summary>
    public static bool IsGaussian(string kind) => kind is Gaussian or GaussianDiagonal or GaussianPerClass;
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

    public LayerIntegration(string kind, bool[] included, double[] sortedHeldOutScores, double targetFpr, double[]? logMean = null, double[]? inverseCholesky = null, double[]? logFloor = null, IReadOnlyList<ExcludedLayer>? excluded = null, double[][]? classMeans = null)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(included);
        ArgumentNullException.ThrowIfNull(sortedHeldOutScores);
        if (kind != IntegrationKinds.Fisher && !IntegrationKinds.IsGaussian(kind))
            throw new ArgumentException($"Integration '{kind}' is not a calibrated score; use {IntegrationKinds.Fisher}, {IntegrationKinds.Gaussian}, {IntegrationKinds.GaussianDiagonal} or {IntegrationKinds.GaussianPerClass} ({IntegrationKinds.OneOut} is the OneOutRule itself).", nameof(kind));
        if (!included.Any(i => i)) throw new ArgumentException("An integration needs at least one included layer.", nameof(included));
        int k = included.Count(i => i);
        if (IntegrationKinds.IsGaussian(kind) && (logMean?.Length != k || inverseCholesky?.Length != k * k || logFloor?.Length != included.Length))
            throw new ArgumentException($"A Gaussian integration needs a mean of {k} log errors, a {k}x{k} inverse Cholesky factor and one log floor per layer.");
        if (kind == IntegrationKinds.GaussianPerClass && (classMeans is not { Length: > 0 } || classMeans.Any(m => m?.Length != k)))
            throw new ArgumentException($"A {IntegrationKinds.GaussianPerClass} integration needs one mean of {k} log values per predicted class.", nameof(classMeans));
        if (kind != IntegrationKinds.GaussianPerClass && classMeans is not null)
            throw new ArgumentException($"Only the {IntegrationKinds.GaussianPerClass} integration has class means.", nameof(classMeans));
        Kind = kind;
        Included = (bool[])included.Clone();
        SortedHeldOutScores = sortedHeldOutScores;
        TargetFpr = targetFpr;
        LogMean = logMean;
        InverseCholesky = inverseCholesky;
        LogFloor = logFloor;
        Excluded = excluded ?? [];
        ClassMeans = classMeans;
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

    /// <summary>Per predicted class, the mean of the log statistics (<see cref="IntegrationKinds.GaussianPerClass"/>;
    /// null otherwise). A class the calibration records never had is measured from <see cref="LogMean"/>.</summary>
    public double[][]? ClassMeans { get; }

    /// <summary>
    /// Right after <see cref="Calibrate"/> (not saved): the held-out records' scores in their order, as new records would
    /// get them (cross-fitted for the Gaussian kinds), for the combined detector's fit on the same records.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal double[]? HeldOutScoresInRecordOrder { get; private init; }

    /// <summary>Whether <see cref="Score"/> reads the record's predicted class.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool ReadsPredictedClass => ClassMeans is not null;

    internal ScoreCalibration Calibration { get; }

    public double Threshold => Calibration.Threshold;

    public double RealisedFpr => Calibration.RealisedFpr;

    /// <summary>Where the rate on new in-distribution records lies, from the held-out sample's size (<see cref="Metrics.FprInterval"/>).</summary>
    public Metrics.FprInterval NewDataFprInterval() => Calibration.NewDataFprInterval();

    /// <summary>
    /// Fits the integration on held-out statistics ([statistic][record]) whose first <c>rule.Layers.Count</c> are the
    /// per-layer errors <paramref name="rule"/> holds the distributions of; any further ones (the layers' latent
    /// distances, named by <paramref name="extraNames"/>) enter the Gaussian integration only.
    /// </summary>
    /// <param name="classes">The model's predicted class of each held-out record; required by (and only read by)
    /// <see cref="IntegrationKinds.GaussianPerClass"/>.</param>
    public static LayerIntegration Calibrate(string kind, OneOutRule rule, IReadOnlyList<float[]> heldOutErrors, double targetFpr, IReadOnlyList<string>? extraNames = null, int[]? classes = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(heldOutErrors);
        var layers = rule.Layers.Count;
        var statistics = heldOutErrors.Count;
        if (statistics < layers) throw new ArgumentException($"Held-out statistics hold {statistics} rows; the rule has {layers} layers.", nameof(heldOutErrors));
        var perClass = kind == IntegrationKinds.GaussianPerClass;
        if (perClass && classes is null)
            throw new ArgumentException($"The {IntegrationKinds.GaussianPerClass} integration needs the predicted class of every held-out record (a model without class outputs takes {IntegrationKinds.Gaussian}).", nameof(classes));
        if (perClass && classes!.Length != heldOutErrors[0].Length)
            throw new ArgumentException($"Give one predicted class per held-out record ({heldOutErrors[0].Length}), not {classes.Length}.", nameof(classes));
        if (!perClass) classes = null;
        var quantiles = new StatisticQuantiles(rule, heldOutErrors);
        var included = new bool[statistics];
        var excluded = new List<ExcludedLayer>();
        for (var l = 0; l < statistics; l++)
        {
            // Fisher's sum reads the rule's p-values, which only the errors have.
            if (l >= layers && !IntegrationKinds.IsGaussian(kind)) continue;
            double lo = quantiles.Of(l, 0.01), hi = quantiles.Of(l, 0.99), mid = Math.Abs(quantiles.Of(l, 0.5));
            included[l] = hi - lo > 1e-6 * Math.Max(mid, 1e-30);
            var name = l < layers ? rule.Layers[l] : extraNames?.ElementAtOrDefault(l - layers) ?? $"statistic {l}";
            if (!included[l]) excluded.Add(new ExcludedLayer(name, $"held-out values are (near-)constant (1%..99% quantiles {lo:G4}..{hi:G4}): ties carry no evidence"));
        }
        if (!included.Take(layers).Any(i => i))
        {
            for (var l = 0; l < layers; l++) included[l] = true;
            excluded.RemoveAll(e => rule.Layers.Contains(e.Layer));
        }

        int n = heldOutErrors[0].Length;
        double[]? mean = null, inverse = null, floor = null;
        double[][]? classMeans = null;
        if (IntegrationKinds.IsGaussian(kind))
            (mean, inverse, floor, classMeans) = FitGaussian(kind, quantiles, heldOutErrors, included, classes);
        var scores = new double[n];
        var record = new float[statistics];
        var folds = IntegrationKinds.IsGaussian(kind) ? GaussianFit.CrossFitFolds(n) : 0;
        if (folds > 0)
        {
            // Cross-fitted: each record is scored by a Gaussian fitted without its fold. Scored by the Gaussian fitted on
            // it, a record looks more typical than a new one does (by more, the more statistics and the fewer records),
            // and the threshold would then let through more than the target rate.
            for (var fold = 0; fold < folds; fold++)
            {
                var others = heldOutErrors.Select(values => values.Where((_, r) => r % folds != fold).ToArray()).ToArray();
                var (foldMean, foldInverse, _, foldClassMeans) = FitGaussian(kind, quantiles, others, included, classes?.Where((_, r) => r % folds != fold).ToArray());
                var foldFit = new LayerIntegration(kind, included, [0], targetFpr, foldMean, foldInverse, floor, excluded, foldClassMeans);
                for (var r = fold; r < n; r += folds)
                {
                    for (var l = 0; l < statistics; l++) record[l] = heldOutErrors[l][r];
                    scores[r] = foldFit.Score(rule, record, classes?[r] ?? -1);
                }
            }
        }
        else
        {
            var draft = new LayerIntegration(kind, included, [0], targetFpr, mean, inverse, floor, excluded, classMeans);
            for (var r = 0; r < n; r++)
            {
                for (var l = 0; l < statistics; l++) record[l] = heldOutErrors[l][r];
                scores[r] = draft.Score(rule, record, classes?[r] ?? -1);
            }
        }
        var inRecordOrder = (double[])scores.Clone();
        Array.Sort(scores);
        return new LayerIntegration(kind, included, scores, targetFpr, mean, inverse, floor, excluded, classMeans) { HeldOutScoresInRecordOrder = inRecordOrder };
    }

    /// <summary>Quantiles of each held-out statistic: the rule's distributions for the errors, the sorted values for the rest.</summary>
    private sealed class StatisticQuantiles(OneOutRule rule, IReadOnlyList<float[]> values)
    {
        private readonly Dictionary<int, float[]> _sorted = [];

        public double Of(int statistic, double p)
        {
            if (statistic < rule.Layers.Count) return rule.Distributions[statistic].Quantile(p);
            if (!_sorted.TryGetValue(statistic, out var sorted))
            {
                sorted = (float[])values[statistic].Clone();
                Array.Sort(sorted);
                _sorted[statistic] = sorted;
            }
            var position = p * (sorted.Length - 1);
            int below = (int)Math.Floor(position), above = Math.Min(below + 1, sorted.Length - 1);
            return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
        }
    }

    /// <summary>Statistics per record this integration reads: the layers' errors, then any latent distances.</summary>
    public int StatisticCount => Included.Length;

    /// <summary>
    /// Higher = more OOD. <paramref name="layerErrors"/> holds <see cref="StatisticCount"/> values (errors, then latent
    /// distances). Allocation-free for the Fisher rule; the Gaussian rule uses a small stack buffer.
    /// </summary>
    /// <param name="predictedClass">The model's class for the record, read by <see cref="IntegrationKinds.GaussianPerClass"/>
    /// (−1 or a class the calibration records never had: measured from the overall mean).</param>
    public double Score(OneOutRule rule, ReadOnlySpan<float> layerErrors, int predictedClass = -1)
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
        Span<double> centred = k <= 256 ? stackalloc double[k] : new double[k];
        var mean = GaussianFit.MeanFor(ClassMeans, LogMean, predictedClass);
        for (int l = 0, i = 0; l < Included.Length; l++)
        {
            if (!Included[l]) continue;
            centred[i] = Math.Log(Math.Max(Clamp(layerErrors[l]), LogFloor![l])) - mean[i];
            i++;
        }
        return GaussianFit.SquaredDistance(centred, InverseCholesky);
    }

    public bool IsOod(double score) => Calibration.IsOod(score);

    public double PValue(double score) => Calibration.PValue(score);

    private static (double[] Mean, double[] InverseCholesky, double[] Floor, double[][]? ClassMeans) FitGaussian(string kind, StatisticQuantiles quantiles, IReadOnlyList<float[]> errors, bool[] included, int[]? classes)
    {
        int layers = included.Length, n = errors[0].Length, k = included.Count(i => i);
        var floor = new double[layers];
        for (var l = 0; l < layers; l++) floor[l] = Math.Max(LogFloorRelative * Math.Abs(quantiles.Of(l, 0.5)), 1e-30);
        var logs = new double[n * k];
        for (int l = 0, i = 0; l < layers; l++)
        {
            if (!included[l]) continue;
            for (var r = 0; r < n; r++) logs[r * k + i] = Math.Log(Math.Max(Clamp(errors[l][r]), floor[l]));
            i++;
        }
        if (kind == IntegrationKinds.GaussianPerClass)
        {
            var (overall, classMeans, within) = GaussianFit.FitPerClass(logs, n, k, classes);
            return (overall, within, floor, classMeans);
        }
        var (mean, inverse) = GaussianFit.Fit(logs, n, k, diagonal: kind == IntegrationKinds.GaussianDiagonal);
        return (mean, inverse, floor, null);
    }

    private static double Clamp(float error) =>
        float.IsNaN(error) ? float.MaxValue : Math.Clamp(error, float.MinValue, float.MaxValue);
}
