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

    /// <summary>Regularised QDA: the per-class rule with one covariance per predicted class as well, shrunk towards the pooled
    /// within-class covariance (pseudo-records chosen by held-out likelihood); score = D²_c + ln det Σ_c.</summary>
    public const string GaussianClassCovariance = "gaussian-class-covariance";

    /// <summary>Non-parametric: the squared distance from the whitened log statistics to the k-th nearest calibration
    /// record's (whitened by the total covariance).</summary>
    public const string Neighbours = "neighbours";

    /// <summary>Non-parametric per class: the k-th nearest calibration record of the predicted class, whitened by the pooled
    /// within-class covariance.</summary>
    public const string NeighboursPerClass = "neighbours-per-class";

    public static IReadOnlyList<string> All { get; } = [OneOut, Fisher, Gaussian, GaussianDiagonal, GaussianPerClass, GaussianClassCovariance, Neighbours, NeighboursPerClass];

    /// <summary>A density over the per-statistic log values (Gaussian: full or diagonal covariance, one mean, one per class,
    /// one covariance per class; or the k-NN density): reads the latent distances and input measures beside the errors.</summary>
    public static bool IsDensity(string kind) => kind is Gaussian or GaussianDiagonal or GaussianPerClass or GaussianClassCovariance or Neighbours or NeighboursPerClass;

    /// <summary>Reads the model's predicted class of each record.</summary>
    public static bool ReadsClasses(string kind) => kind is GaussianPerClass or GaussianClassCovariance or NeighboursPerClass;

    /// <summary>
    /// The kind that reads <paramref name="statistics"/> statistics (<paramref name="kind"/> itself, but for a density over
    /// one): a density over one number ranks a record by how sparse its neighbourhood is, not by how far above the
    /// calibration values it lies, so that one statistic (a layer's error: an integration always keeps one) is read by its
    /// upper-tail p-value, <see cref="Fisher"/> over that layer.
    /// </summary>
    public static string ForStatistics(string kind, int statistics) => IsDensity(kind) && statistics == 1 ? Fisher : kind;

    /// <summary>What a kind becomes for a model without class outputs (itself when it does not read classes).</summary>
    public static string WithoutClasses(string kind) => kind switch
    {
        GaussianPerClass or GaussianClassCovariance => Gaussian,
        NeighboursPerClass => Neighbours,
        _ => kind,
    };
}

/// <summary>A layer left out of the integrated score, and why (recorded in fingerprint.json).</summary>
/// <param name="Layer">The statistic left out: a layer (its error) by its tensor name, or a latent distance or input measure by the name the build gives it.</param>
/// <param name="Reason">Why it is left out: its calibration values are (near-)constant, or the build's response shifts barely move it (with its AUROC alone).</param>
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

    public LayerIntegration(string kind, bool[] included, double[] sortedHeldOutScores, double targetFpr, double[]? logMean = null, double[]? inverseCholesky = null, double[]? logFloor = null, IReadOnlyList<ExcludedLayer>? excluded = null, double[][]? classMeans = null,
        double[][]? classInverseCholesky = null, float[]? neighbourBank = null, int[]? neighbourClasses = null, int neighbours = 0)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(included);
        ArgumentNullException.ThrowIfNull(sortedHeldOutScores);
        if (kind != IntegrationKinds.Fisher && !IntegrationKinds.IsDensity(kind))
            throw new ArgumentException($"Integration '{kind}' is not a calibrated score; use one of {string.Join(", ", IntegrationKinds.All.Where(k => k != IntegrationKinds.OneOut))} ({IntegrationKinds.OneOut} is the OneOutRule itself).", nameof(kind));
        if (!included.Any(i => i)) throw new ArgumentException("An integration needs at least one included layer.", nameof(included));
        int k = included.Count(i => i);
        if (IntegrationKinds.IsDensity(kind) && (logMean?.Length != k || inverseCholesky?.Length != k * k || logFloor?.Length != included.Length))
            throw new ArgumentException($"A density integration needs a mean of {k} log errors, a {k}x{k} inverse Cholesky factor and one log floor per layer.");
        var hasClassMeans = kind is IntegrationKinds.GaussianPerClass or IntegrationKinds.GaussianClassCovariance;
        if (hasClassMeans && (classMeans is not { Length: > 0 } || classMeans.Any(m => m?.Length != k)))
            throw new ArgumentException($"A {kind} integration needs one mean of {k} log values per predicted class.", nameof(classMeans));
        if (!hasClassMeans && classMeans is not null)
            throw new ArgumentException($"Only the {IntegrationKinds.GaussianPerClass} and {IntegrationKinds.GaussianClassCovariance} integrations have class means.", nameof(classMeans));
        if (kind == IntegrationKinds.GaussianClassCovariance && (classInverseCholesky?.Length != classMeans!.Length || classInverseCholesky.Any(m => m?.Length != k * k)))
            throw new ArgumentException($"A {kind} integration needs one {k}x{k} inverse Cholesky factor per class mean.", nameof(classInverseCholesky));
        if (kind != IntegrationKinds.GaussianClassCovariance && classInverseCholesky is not null)
            throw new ArgumentException($"Only the {IntegrationKinds.GaussianClassCovariance} integration has class covariances.", nameof(classInverseCholesky));
        var isNeighbours = kind is IntegrationKinds.Neighbours or IntegrationKinds.NeighboursPerClass;
        if (isNeighbours && (neighbours < 1 || neighbourBank is not { Length: > 0 } || neighbourBank.Length % k != 0))
            throw new ArgumentException($"A {kind} integration needs k ≥ 1 and a bank of whitened rows of {k} values.", nameof(neighbourBank));
        if (isNeighbours && (kind == IntegrationKinds.NeighboursPerClass) != (neighbourClasses is not null) || neighbourClasses is not null && neighbourClasses.Length * k != neighbourBank?.Length)
            throw new ArgumentException($"A {IntegrationKinds.NeighboursPerClass} integration needs one class per banked row (and only it has them).", nameof(neighbourClasses));
        if (!isNeighbours && (neighbourBank is not null || neighbours != 0))
            throw new ArgumentException($"Only the {IntegrationKinds.Neighbours} integrations have a bank of rows.", nameof(neighbourBank));
        Kind = kind;
        Included = (bool[])included.Clone();
        _includedStatistics = [.. Enumerable.Range(0, included.Length).Where(l => included[l])];
        SortedHeldOutScores = sortedHeldOutScores;
        TargetFpr = targetFpr;
        LogMean = logMean;
        InverseCholesky = inverseCholesky;
        LogFloor = logFloor;
        Excluded = excluded ?? [];
        ClassMeans = classMeans;
        ClassInverseCholesky = classInverseCholesky;
        NeighbourBank = neighbourBank;
        NeighbourClasses = neighbourClasses;
        Neighbours = neighbours;
        if (classInverseCholesky is not null)
        {
            _classLogDeterminant = [.. classInverseCholesky.Select(inverse => GaussianFit.LogDeterminant(inverse, k))];
            _pooledLogDeterminant = GaussianFit.LogDeterminant(inverseCholesky, k);
        }
        if (neighbourBank is not null) _neighbourIndex = new NeighbourIndex(neighbourBank, k, neighbourClasses);
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

    /// <summary>Per predicted class, the inverse Cholesky factor of its covariance (<see cref="IntegrationKinds.GaussianClassCovariance"/>;
    /// null otherwise). A class the calibration records never had is measured with <see cref="InverseCholesky"/>, the pooled one.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double[][]? ClassInverseCholesky { get; }

    /// <summary>The neighbour integrations' stored rows: whitened log statistics of calibration records, row-major
    /// [rows, statistics] (z = <see cref="InverseCholesky"/> · (ln x − <see cref="LogMean"/>)).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    [System.Text.Json.Serialization.JsonConverter(typeof(Detectors.State.PackedArrayJsonConverter<float>))]
    public float[]? NeighbourBank { get; }

    /// <summary>Per stored row its predicted class (<see cref="IntegrationKinds.NeighboursPerClass"/>; null otherwise).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    [System.Text.Json.Serialization.JsonConverter(typeof(Detectors.State.PackedArrayJsonConverter<int>))]
    public int[]? NeighbourClasses { get; }

    /// <summary>k of the neighbour integrations (0 otherwise).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public int Neighbours { get; }

    private readonly double[]? _classLogDeterminant;

    private readonly double _pooledLogDeterminant;

    /// <summary>The statistic index of each included statistic, in order (the densities' dimensions).</summary>
    private readonly int[] _includedStatistics;

    private readonly NeighbourIndex? _neighbourIndex;

    /// <summary>
    /// Right after <see cref="Calibrate"/> (not saved): the held-out records' scores in their order, as new records would
    /// get them (cross-fitted for the Gaussian kinds), for the combined detector's fit on the same records.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal double[]? HeldOutScoresInRecordOrder { get; private init; }

    /// <summary>Whether <see cref="Score(OneOutRule, ReadOnlySpan{float}, int)"/> reads the record's predicted class.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool ReadsPredictedClass => ClassMeans is not null || NeighbourClasses is not null;

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
    /// <param name="neighbours">k of the neighbour kinds (default <see cref="NeighbourDensity.DefaultNeighbours"/>, chosen on the panel's validation sets).</param>
    /// <param name="foldErrorsAtMedian">The densities read each layer's error as at least its held-out median (<see cref="Fingerprints.FingerprintOptions.FoldErrorsAtMedian"/>).</param>
    /// <param name="unfoldedLayers">Layers (by name) whose error is read both ways even so (the model input's, unless
    /// <see cref="Fingerprints.FingerprintOptions.FoldInputErrorAtMedian"/>).</param>
    /// <param name="leaveOut">Statistics left out with their reasons (<see cref="StatisticSelection"/>), beside the
    /// (near-)constant ones; should that leave no layer error, every non-constant layer error stays.</param>
    public static LayerIntegration Calibrate(string kind, OneOutRule rule, IReadOnlyList<float[]> heldOutErrors, double targetFpr, IReadOnlyList<string>? extraNames = null, int[]? classes = null, int neighbours = NeighbourDensity.DefaultNeighbours,
        bool foldErrorsAtMedian = false, IReadOnlyList<LeftOutStatistic>? leaveOut = null, IReadOnlyCollection<string>? unfoldedLayers = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(neighbours, 1);
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(heldOutErrors);
        var layers = rule.Layers.Count;
        var statistics = heldOutErrors.Count;
        if (statistics < layers) throw new ArgumentException($"Held-out statistics hold {statistics} rows; the rule has {layers} layers.", nameof(heldOutErrors));
        var perClass = IntegrationKinds.ReadsClasses(kind);
        if (perClass && classes is null)
            throw new ArgumentException($"The {kind} integration needs the predicted class of every held-out record (a model without class outputs takes {IntegrationKinds.WithoutClasses(kind)}).", nameof(classes));
        if (perClass && classes!.Length != heldOutErrors[0].Length)
            throw new ArgumentException($"Give one predicted class per held-out record ({heldOutErrors[0].Length}), not {classes.Length}.", nameof(classes));
        if (!perClass) classes = null;
        var quantiles = new StatisticQuantiles(rule, heldOutErrors);
        var included = new bool[statistics];
        var excluded = new List<ExcludedLayer>();
        string StatisticName(int l) => l < layers ? rule.Layers[l] : extraNames?.ElementAtOrDefault(l - layers) ?? $"statistic {l}";
        for (var l = 0; l < statistics; l++)
        {
            // Fisher's sum reads the rule's p-values, which only the errors have.
            if (l >= layers && !IntegrationKinds.IsDensity(kind)) continue;
            double lo = quantiles.Of(l, 0.01), hi = quantiles.Of(l, 0.99), mid = Math.Abs(quantiles.Of(l, 0.5));
            included[l] = hi - lo > 1e-6 * Math.Max(mid, 1e-30);
            if (!included[l]) excluded.Add(new ExcludedLayer(StatisticName(l), $"held-out values are (near-)constant (1%..99% quantiles {lo:G4}..{hi:G4}): ties carry no evidence"));
        }
        if (!included.Take(layers).Any(i => i))
        {
            for (var l = 0; l < layers; l++) included[l] = true;
            excluded.RemoveAll(e => rule.Layers.Contains(e.Layer));
        }
        if (leaveOut is { Count: > 0 })
        {
            var leftOut = new List<(int Statistic, ExcludedLayer Entry)>();
            foreach (var (statistic, reason) in leaveOut)
            {
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(statistic, statistics, nameof(leaveOut));
                if (!included[statistic]) continue;
                included[statistic] = false;
                leftOut.Add((statistic, new ExcludedLayer(StatisticName(statistic), reason)));
            }
            // A selection keeps a layer error; should its choice be a constant one, the layer errors it left out stay.
            if (!included.Take(layers).Any(i => i))
                foreach (var (statistic, _) in leftOut.Where(o => o.Statistic < layers)) included[statistic] = true;
            excluded.AddRange(leftOut.Where(o => !included[o.Statistic]).Select(o => o.Entry));
        }

        int n = heldOutErrors[0].Length;
        double[]? floor = null;
        Density? density = null;
        // The class covariances' pseudo-records, chosen once by the held-out likelihood of all calibration records (each
        // cross-fitting fold reuses it).
        var prior = double.PositiveInfinity;
        if (IntegrationKinds.IsDensity(kind))
        {
            floor = LogFloors(quantiles, statistics, l => foldErrorsAtMedian && l < layers && unfoldedLayers?.Contains(rule.Layers[l]) != true);
            if (kind == IntegrationKinds.GaussianClassCovariance)
                prior = ClassCovarianceFit.ChoosePrior(LogRows(heldOutErrors, included, floor), n, included.Count(i => i), classes);
            density = FitDensity(kind, heldOutErrors, included, floor, classes, prior, neighbours);
        }
        var scores = new double[n];
        var record = new float[statistics];
        // The neighbour densities score each stored record against the others (leave-one-out), which is what a new record
        // meets; fold fits would store 10% fewer rows and put the threshold a little high.
        var leaveOneOut = density?.Bank is not null;
        var folds = IntegrationKinds.IsDensity(kind) && !leaveOneOut ? GaussianFit.CrossFitFolds(n) : 0;
        if (folds > 0)
        {
            // Cross-fitted: each record is scored by a Gaussian fitted without its fold. Scored by the Gaussian fitted on
            // it, a record looks more typical than a new one does (by more, the more statistics and the fewer records),
            // and the threshold would then let through more than the target rate.
            for (var fold = 0; fold < folds; fold++)
            {
                var others = heldOutErrors.Select(values => values.Where((_, r) => r % folds != fold).ToArray()).ToArray();
                var foldDensity = FitDensity(kind, others, included, floor!, classes?.Where((_, r) => r % folds != fold).ToArray(), prior, neighbours);
                var foldFit = Create(kind, included, [0], targetFpr, floor, excluded, foldDensity);
                for (var r = fold; r < n; r += folds)
                {
                    for (var l = 0; l < statistics; l++) record[l] = heldOutErrors[l][r];
                    scores[r] = foldFit.Score(rule, record, classes?[r] ?? -1);
                }
            }
        }
        else
        {
            var draft = Create(kind, included, [0], targetFpr, floor, excluded, density);
            for (var r = 0; r < n; r++)
            {
                for (var l = 0; l < statistics; l++) record[l] = heldOutErrors[l][r];
                scores[r] = leaveOneOut ? draft.ScoreLeavingOut(rule, record, classes?[r] ?? -1, NeighbourDensity.BankRow(r, n), out _) : draft.Score(rule, record, classes?[r] ?? -1);
            }
        }
        var inRecordOrder = (double[])scores.Clone();
        Array.Sort(scores);
        return Create(kind, included, scores, targetFpr, floor, excluded, density, inRecordOrder);
    }

    /// <summary>A fitted density's parameters (null members: the kind has none).</summary>
    private sealed record Density(double[] Mean, double[] InverseCholesky, double[][]? ClassMeans = null, double[][]? ClassInverseCholesky = null, float[]? Bank = null, int[]? BankClasses = null, int Neighbours = 0);

    private static LayerIntegration Create(string kind, bool[] included, double[] sortedScores, double targetFpr, double[]? floor, IReadOnlyList<ExcludedLayer> excluded, Density? d, double[]? inRecordOrder = null) =>
        new(kind, included, sortedScores, targetFpr, d?.Mean, d?.InverseCholesky, floor, excluded, d?.ClassMeans, d?.ClassInverseCholesky, d?.Bank, d?.BankClasses, d?.Neighbours ?? 0) { HeldOutScoresInRecordOrder = inRecordOrder };

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
    public double Score(OneOutRule rule, ReadOnlySpan<float> layerErrors, int predictedClass = -1) => ScoreLeavingOut(rule, layerErrors, predictedClass, excludeBankRow: -1, out _);

    /// <inheritdoc cref="Score(OneOutRule, ReadOnlySpan{float}, int)"/>
    /// <param name="largestStatistic">The statistic (an index into <paramref name="layerErrors"/>) behind the score's largest
    /// term: Fisher's largest −ln p; for the densities the largest square of the whitened distance (to the class mean, or to
    /// the k-th neighbour), whose terms add up to the score and follow the statistics' order, each term the part of its
    /// statistic the ones before it do not explain.</param>
    public double Score(OneOutRule rule, ReadOnlySpan<float> layerErrors, int predictedClass, out int largestStatistic) =>
        ScoreLeavingOut(rule, layerErrors, predictedClass, excludeBankRow: -1, out largestStatistic);

    /// <summary>
    /// A record derived from calibration record <paramref name="calibrationRecord"/> (its position in the calibration order),
    /// scored as that record is: the neighbour kinds leave its stored row out, so a shifted copy does not meet its original;
    /// the Gaussians score with their full fit (the record is one of the thousands it was fitted on).
    /// </summary>
    internal double ScoreAsCalibrationRecord(OneOutRule rule, ReadOnlySpan<float> statistics, int predictedClass, int calibrationRecord) =>
        ScoreLeavingOut(rule, statistics, predictedClass, NeighbourBank is null ? -1 : NeighbourDensity.BankRow(calibrationRecord, SortedHeldOutScores.Length), out _);

    /// <param name="excludeBankRow">The neighbour kinds: a stored row left out (a calibration record's leave-one-out score).</param>
    private double ScoreLeavingOut(OneOutRule rule, ReadOnlySpan<float> layerErrors, int predictedClass, int excludeBankRow, out int largestStatistic)
    {
        if (Kind == IntegrationKinds.Fisher)
        {
            double sum = 0, largest = double.NegativeInfinity;
            largestStatistic = 0;
            for (var l = 0; l < Included.Length; l++)
            {
                if (!Included[l]) continue;
                double e = Clamp(layerErrors[l]);
                var d = rule.Distributions[l];
                var term = -Math.Log(d.PValue(e, rule.TwoSided)) + Ln10 * d.TailDecades(e, rule.TwoSided);
                sum += term;
                if (term > largest) (largest, largestStatistic) = (term, l);
            }
            return sum;
        }
        int k = LogMean!.Length;
        Span<double> centred = k <= 256 ? stackalloc double[k] : new double[k];
        double score;
        int largestTerm;
        if (NeighbourBank is not null)
        {
            // The k-NN density: whitened log statistics against the stored rows (of the predicted class, when it has enough).
            Span<double> logs = k <= 256 ? stackalloc double[k] : new double[k];
            for (int l = 0, i = 0; l < Included.Length; l++)
                if (Included[l]) logs[i++] = Math.Log(Math.Max(Clamp(layerErrors[l]), LogFloor![l]));
            NeighbourDensity.Whiten(logs, LogMean, InverseCholesky, centred);
            score = _neighbourIndex!.KthDistance(centred, predictedClass, Neighbours, excludeBankRow, out largestTerm);
        }
        else
        {
            var mean = GaussianFit.MeanFor(ClassMeans, LogMean, predictedClass);
            for (int l = 0, i = 0; l < Included.Length; l++)
            {
                if (!Included[l]) continue;
                centred[i] = Math.Log(Math.Max(Clamp(layerErrors[l]), LogFloor![l])) - mean[i];
                i++;
            }
            if (_classLogDeterminant is not null)
                // Regularised QDA: −2 ln density + const, with the class's own covariance (an unseen class: the pooled one).
                score = (uint)predictedClass < (uint)_classLogDeterminant.Length
                    ? GaussianFit.SquaredDistance(centred, ClassInverseCholesky![predictedClass], out largestTerm) + _classLogDeterminant[predictedClass]
                    : GaussianFit.SquaredDistance(centred, InverseCholesky, out largestTerm) + _pooledLogDeterminant;
            else
                score = GaussianFit.SquaredDistance(centred, InverseCholesky, out largestTerm);
        }
        largestStatistic = _includedStatistics[largestTerm];
        return score;
    }

    public bool IsOod(double score) => Calibration.IsOod(score);

    public double PValue(double score) => Calibration.PValue(score);

    /// <summary>
    /// Per statistic the floor its log is taken above: a millionth of its median held-out value, or, for the statistics
    /// <paramref name="foldedAtMedian"/> says (the layers' errors when they are folded), the median itself.
    /// </summary>
    private static double[] LogFloors(StatisticQuantiles quantiles, int statistics, Func<int, bool> foldedAtMedian)
    {
        var floor = new double[statistics];
        for (var l = 0; l < statistics; l++)
        {
            var median = Math.Abs(quantiles.Of(l, 0.5));
            floor[l] = Math.Max(foldedAtMedian(l) ? median : LogFloorRelative * median, 1e-30);
        }
        return floor;
    }

    /// <summary>Row-major [records, included statistics] log values.</summary>
    private static double[] LogRows(IReadOnlyList<float[]> errors, bool[] included, double[] floor)
    {
        int layers = included.Length, n = errors[0].Length, k = included.Count(i => i);
        var logs = new double[n * k];
        for (int l = 0, i = 0; l < layers; l++)
        {
            if (!included[l]) continue;
            for (var r = 0; r < n; r++) logs[r * k + i] = Math.Log(Math.Max(Clamp(errors[l][r]), floor[l]));
            i++;
        }
        return logs;
    }

    private static Density FitDensity(string kind, IReadOnlyList<float[]> errors, bool[] included, double[] floor, int[]? classes, double prior, int neighbours)
    {
        int n = errors[0].Length, k = included.Count(i => i);
        var logs = LogRows(errors, included, floor);
        switch (kind)
        {
            case IntegrationKinds.GaussianPerClass:
            {
                var (overall, classMeans, within) = GaussianFit.FitPerClass(logs, n, k, classes);
                return new Density(overall, within, classMeans);
            }
            case IntegrationKinds.GaussianClassCovariance:
            {
                var fit = ClassCovarianceFit.Fit(logs, n, k, classes, prior);
                return new Density(fit.Overall, fit.PooledInverse, fit.ClassMeans, fit.ClassInverse);
            }
            case IntegrationKinds.Neighbours or IntegrationKinds.NeighboursPerClass:
            {
                var fit = NeighbourDensity.Fit(logs, n, k, kind == IntegrationKinds.NeighboursPerClass ? classes : null);
                return new Density(fit.Mean, fit.InverseCholesky, Bank: fit.Bank, BankClasses: fit.BankClasses, Neighbours: neighbours);
            }
            default:
            {
                var (mean, inverse) = GaussianFit.Fit(logs, n, k, diagonal: kind == IntegrationKinds.GaussianDiagonal);
                return new Density(mean, inverse);
            }
        }
    }

    private static double Clamp(float error) =>
        float.IsNaN(error) ? float.MaxValue : Math.Clamp(error, float.MinValue, float.MaxValue);
}
