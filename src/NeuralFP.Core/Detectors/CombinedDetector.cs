using NeuralFP.Core.Detectors.State;

namespace NeuralFP.Core.Detectors;

/// <summary>
/// The fingerprint fused with the strongest other evidence, with members fixed before any evaluation: the fingerprint,
/// k-NN and Mahalanobis on the penultimate features (when the head is linear) and energy on the logits. The default
/// (Gaussian) rules read one density over the fingerprint's statistics and the partners' scores
/// (<see cref="CombinedGaussian"/>; per predicted class or one mean), calibrated on cross-fitted held-out scores. The
/// p-value rules turn each member's score into a conformal p-value against its held-out scores and join them (Fisher:
/// Σ −ln p_m; min-p: max −ln p_m). Everything is fitted on held-out in-distribution records; no OOD data anywhere.
/// </summary>
public sealed class CombinedDetector : IOodDetector
{
    public const string FisherRule = "fisher";
    public const string MinPRule = "min-p";
    public const string GaussianRule = "gaussian";
    public const string GaussianPerClassRule = "gaussian-per-class";

    /// <summary>The k-NN density of the fingerprint's neighbours integrations over the Gaussian rules' vectors (the
    /// fingerprint's log statistics and the partners' standardised scores), whitened by their covariance: the squared
    /// distance to the k-th nearest held-out vector (k = <see cref="Numerics.NeighbourDensity.DefaultNeighbours"/>).</summary>
    public const string NeighboursRule = "neighbours";

    /// <summary><see cref="NeighboursRule"/> among the held-out vectors of the record's predicted class, whitened by the
    /// pooled within-class covariance.</summary>
    public const string NeighboursPerClassRule = "neighbours-per-class";

    /// <summary>One Gaussian over the fingerprint's own integrated score (log, one dimension) and the partners' standardised
    /// scores: fewer dimensions than the fingerprint's statistics, so a partner dilutes less of the fingerprint's evidence.</summary>
    public const string ScoreGaussianRule = "score-gaussian";

    /// <summary><see cref="ScoreGaussianRule"/> with one mean per predicted class.</summary>
    public const string ScoreGaussianPerClassRule = "score-gaussian-per-class";

    /// <summary>Weighted Bonferroni: the most alarmed member, each p-value divided by its share of the false-positive
    /// budget (the fingerprint <see cref="FingerprintShare"/>, the partners the rest equally); max (−ln p_m + ln w_m).</summary>
    public const string WeightedMinPRule = "weighted-min-p";

    /// <summary>Fisher's sum with weights Σ⁻¹1 (clipped at 0) from the members' evidence covariance on held-out
    /// in-distribution records: correlated partners share one weight rather than outvoting the fingerprint.</summary>
    public const string DecorrelatedFisherRule = "fisher-decorrelated";

    /// <summary>
    /// The more alarmed of two calibrated voices, weighted Bonferroni: the fingerprint's own score (share
    /// <see cref="FingerprintShare"/> of the false-positive budget) and the joint density of the gaussian rules (one mean per
    /// predicted class when the model has classes) over its statistics and the partners' scores. A shift only the
    /// fingerprint sees is read at its own strength; a shift the partners add to is read by the density.
    /// </summary>
    public const string FingerprintOrDensityRule = "fingerprint-or-density";

    public static IReadOnlyList<string> Rules { get; } = [FisherRule, MinPRule, GaussianRule, GaussianPerClassRule, ScoreGaussianRule, ScoreGaussianPerClassRule, WeightedMinPRule, DecorrelatedFisherRule, FingerprintOrDensityRule, NeighboursRule, NeighboursPerClassRule];

    /// <summary>The fingerprint's share of the false-positive budget under <see cref="WeightedMinPRule"/>.</summary>
    public const double DefaultFingerprintShare = 0.75;

    /// <summary>The default rule, chosen on the model panel's validation OOD sets (README, "Detection on a model panel",
    /// items 9, 13, 19 and 21): the fewest validation cells short of the best single detector, then the highest validation
    /// minimum, then mean, on the run with every other default of this release (the fingerprint's neighbours-per-class
    /// integration over errors folded at their median and the statistics its response shifts move, or one statistic's
    /// p-value). Every rule and member set was refitted on the same held-out records.</summary>
    public const string DefaultRule = WeightedMinPRule;

    /// <summary>The default partners beside the fingerprint, chosen with the rule on the same validation sets.</summary>
    public static IReadOnlyList<string> DefaultPartners { get; } = [DetectorNames.Knn, DetectorNames.Energy, DetectorNames.Mahalanobis];

    /// <summary>The fingerprint's share of the false-positive budget under the default rule, chosen with it (0.9: the
    /// partners share the other tenth; <see cref="DefaultFingerprintShare"/> stays the rules' own default, so saved
    /// detectors and explicit options read as before).</summary>
    public const double DefaultRuleFingerprintShare = 0.9;

    public const string FingerprintMember = "fingerprint";

    private readonly string[] _members;
    private double[][] _heldOut = [];
    private double[] _tailScale = [];
    private IOodDetector?[] _bound;
    private readonly bool[]? _statistics;
    private CombinedGaussian? _gaussian;
    private double[]? _weights;
    // The density's cross-fitted scores on the fit records, sorted (fingerprint-or-density: its conformal p-values).
    private double[]? _densityHeldOut;
    private double _densityTailScale;
    // Interpolated p-values (every detector fitted by this version); a detector saved before keeps the stepped p-values
    // its threshold was calibrated on.
    private bool _interpolated = true;

    // The fit records' unsorted member scores and fingerprint statistics, kept in memory after Fit (not saved) so that
    // another rule can be fitted on the very same records (WithRule), and the scores a threshold is calibrated on.
    private double[][]? _fitScores;
    private (float[]? Values, int Count) _fitStatistics;
    private int[]? _fitClasses;
    private double[]? _calibrationScores;

    /// <param name="members">"fingerprint" and names of detectors of the same set, e.g. knn, energy.</param>
    /// <param name="rule">One of <see cref="Rules"/>.</param>
    /// <param name="statistics">For the Gaussian rule: which fingerprint statistics it reads (those the fingerprint's own
    /// integration reads); null = every statistic whose held-out values are not (near-)constant.</param>
    /// <param name="fingerprintShare">For <see cref="WeightedMinPRule"/>: the fingerprint's share of the false-positive budget, in (0, 1).</param>
    public CombinedDetector(IReadOnlyList<string> members, string rule = FisherRule, bool[]? statistics = null, double fingerprintShare = DefaultFingerprintShare)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("The combined detector needs at least one member.", nameof(members));
        if (!Rules.Contains(rule)) throw new ArgumentException($"Unknown combination rule '{rule}'; use {string.Join(", ", Rules)}.", nameof(rule));
        if (rule is GaussianRule or GaussianPerClassRule or NeighboursRule or NeighboursPerClassRule or ScoreGaussianRule or ScoreGaussianPerClassRule or WeightedMinPRule or FingerprintOrDensityRule && !members.Contains(FingerprintMember))
            throw new ArgumentException($"The {rule} rule reads the fingerprint; its members must include '{FingerprintMember}'.", nameof(members));
        if (members.Distinct().Count() != members.Count) throw new ArgumentException("Each member may appear once.", nameof(members));
        if (!(fingerprintShare > 0 && fingerprintShare < 1)) throw new ArgumentOutOfRangeException(nameof(fingerprintShare), fingerprintShare, "The fingerprint's share of the false-positive budget must lie in (0, 1).");
        _members = [.. members];
        Rule = rule;
        FingerprintShare = fingerprintShare;
        _statistics = statistics is null ? null : (bool[])statistics.Clone();
        _bound = new IOodDetector?[_members.Length];
    }

    public IReadOnlyList<string> Members => _members;

    public string Rule { get; }

    /// <summary>The fingerprint's share of the false-positive budget (read by <see cref="WeightedMinPRule"/>).</summary>
    public double FingerprintShare { get; }

    /// <summary>Per member, its weight (<see cref="WeightedMinPRule"/>: share of the false-positive budget;
    /// <see cref="DecorrelatedFisherRule"/>: weight in the sum); for <see cref="FingerprintOrDensityRule"/> the shares of
    /// the fingerprint and the density; null for the other rules.</summary>
    public IReadOnlyList<double>? Weights => _weights;

    public string Name => DetectorNames.Combined;

    public string Description => Rule switch
    {
        GaussianRule or GaussianPerClassRule => $"Gaussian density{(PerClass ? " (one mean per predicted class)" : "")} over the fingerprint's log statistics{PartnerScores()}, fitted on held-out in-distribution records (members fixed a priori)",
        NeighboursRule or NeighboursPerClassRule => $"k-NN density (k = {_gaussian?.Neighbours ?? Numerics.NeighbourDensity.DefaultNeighbours}{(PerClass ? ", among the records of the predicted class" : "")}) over the fingerprint's whitened log statistics{PartnerScores()}, fitted on held-out in-distribution records (members fixed a priori)",
        ScoreGaussianRule or ScoreGaussianPerClassRule => $"Gaussian density{(PerClass ? " (one mean per predicted class)" : "")} over the fingerprint's log score{PartnerScores()}, fitted on held-out in-distribution records (members fixed a priori)",
        WeightedMinPRule => $"most alarmed of {string.Join(" + ", _members)}: conformal p-values against their held-out in-distribution scores, weighted Bonferroni (fingerprint {FingerprintShare:0.##} of the false-positive budget; members fixed a priori)",
        FingerprintOrDensityRule => $"more alarmed of the fingerprint's score ({FingerprintShare:0.##} of the false-positive budget) and a Gaussian density{(_gaussian?.ClassMeans is not null ? " (one mean per predicted class)" : "")} over the fingerprint's log statistics{PartnerScores()}, both calibrated on held-out in-distribution records (members fixed a priori)",
        DecorrelatedFisherRule => $"Fisher's sum of conformal p-values of {string.Join(" + ", _members)}, weighted by their held-out in-distribution covariance (members fixed a priori)",
        _ => $"{Rule} of conformal p-values of {string.Join(" + ", _members)} against their held-out in-distribution scores (members fixed a priori)",
    };

    public bool IsFitted => _heldOut.Length == _members.Length && (!IsDensity || _gaussian is not null) && (!IsWeighted || _weights is not null)
        && (Rule != FingerprintOrDensityRule || _densityHeldOut is not null);

    /// <summary>
    /// After <see cref="Fit(DetectorInputs, CancellationToken)"/>: the fit records' scores as new in-distribution records would get them (cross-fitted for the
    /// Gaussian rule), the scores to calibrate the threshold on.
    /// </summary>
    public double[] CalibrationScores => _calibrationScores ?? throw new InvalidOperationException("The combined detector's calibration scores exist only after Fit.");

    public bool KeepsReferenceData => false;

    /// <summary>Whether the rule is one of the densities (Gaussian or k-NN) that read the fingerprint's statistics (not its score).</summary>
    private bool IsGaussian => Rule is GaussianRule or GaussianPerClassRule or NeighboursRule or NeighboursPerClassRule;

    private bool IsNeighbours => Rule is NeighboursRule or NeighboursPerClassRule;

    /// <summary>Whether the rule reads the fingerprint's statistics (the Gaussian rules in place of its score, fingerprint-or-density beside it).</summary>
    private bool ReadsStatistics => IsGaussian || Rule == FingerprintOrDensityRule;

    /// <summary>Whether the rule is a Gaussian density (over the fingerprint's statistics or its score).</summary>
    private bool IsDensity => IsGaussian || Rule is ScoreGaussianRule or ScoreGaussianPerClassRule;

    private bool PerClass => Rule is GaussianPerClassRule or ScoreGaussianPerClassRule or NeighboursPerClassRule;

    private bool IsWeighted => Rule is WeightedMinPRule or DecorrelatedFisherRule or FingerprintOrDensityRule;

    private IEnumerable<string> Partners() => _members.Where(m => m != FingerprintMember);

    private string PartnerScores() => Partners().Any() ? $" and the standardised scores of {string.Join(" + ", Partners())}" : "";

    public long StateBytes => _heldOut.Sum(h => (long)h.Length * sizeof(double)) + (_gaussian is null ? 0 : sizeof(double) * (long)(_gaussian.Mean.Length + _gaussian.InverseCholesky.Length + (_gaussian.ClassMeans?.Sum(m => m.Length) ?? 0))
        + sizeof(float) * (long)(_gaussian.NeighbourBank?.Length ?? 0) + sizeof(int) * (long)(_gaussian.NeighbourClasses?.Length ?? 0)) + ((_weights?.Length ?? 0) + (_densityHeldOut?.Length ?? 0)) * (long)sizeof(double);

    /// <summary>Connects the non-fingerprint members to fitted detectors of the same set.</summary>
    public void Bind(IEnumerable<IOodDetector> detectors)
    {
        var byName = detectors.Where(d => d is not CombinedDetector).ToDictionary(d => d.Name, StringComparer.Ordinal);
        for (var m = 0; m < _members.Length; m++)
        {
            if (_members[m] == FingerprintMember) continue;
            _bound[m] = byName.TryGetValue(_members[m], out var d) ? d
                : throw new InvalidDataException($"The combined detector needs member '{_members[m]}', which this detector set does not hold.");
        }
    }

    /// <summary>
    /// Fits the rule on held-out in-distribution records (they must not be the members' fit records): each member's
    /// scores there, and for the Gaussian rules the density over the fingerprint's statistics and the partners' scores.
    /// </summary>
    public void Fit(DetectorInputs reference, CancellationToken cancellationToken = default) => Fit(reference, knownScores: null);

    /// <summary>
    /// <see cref="Fit(DetectorInputs, CancellationToken)"/> reusing member scores already computed on these very records
    /// (by name, one per record in order): the build has every member's held-out scores from calibrating it, and scoring
    /// them again (k-NN above all) would only repeat the same work for the same numbers.
    /// </summary>
    internal void Fit(DetectorInputs reference, IReadOnlyDictionary<string, double[]>? knownScores)
    {
        DetectorGuard.NotEmpty(reference, Name);
        var memberScores = new double[_members.Length][];
        for (var m = 0; m < _members.Length; m++)
        {
            if (knownScores is not null && _members[m] != FingerprintMember && knownScores.TryGetValue(_members[m], out var known))
            {
                if (known.Length != reference.Records)
                    throw new ArgumentException($"Member '{_members[m]}' has {known.Length} known scores; {reference.Records} records are fitted on.", nameof(knownScores));
                memberScores[m] = (double[])known.Clone();
                continue;
            }
            memberScores[m] = new double[reference.Records];
            MemberScores(m, reference, memberScores[m]);
        }
        FitOn(memberScores, ReadsStatistics ? RequireStatistics(reference) : (reference.FingerprintStatistics, reference.FingerprintStatisticCount),
            reference.Logits is null ? null : reference.FitClasses(Name, preferLabels: false));
    }

    private void FitOn(double[][] memberScores, (float[]? Values, int Count) fingerprintStatistics, int[]? classes)
    {
        SetHeldOut([.. memberScores.Select(s => s.Order().ToArray())]);
        _fitScores = memberScores;
        _fitStatistics = fingerprintStatistics;
        _fitClasses = classes;
        var n = memberScores[0].Length;
        if (IsDensity)
        {
            if (PerClass && classes is null) throw new ArgumentException($"The {Rule} rule needs the model's logits (DetectorInputs.Logits) for the predicted classes.");
            var perClass = PerClass ? classes : null;
            var (statistics, count, included) = IsGaussian
                ? (fingerprintStatistics.Values ?? throw new InvalidOperationException($"The {Rule} rule needs the fit records' fingerprint statistics."), fingerprintStatistics.Count, _statistics)
                : (ScoreAsStatistic(memberScores[Array.IndexOf(_members, FingerprintMember)]), 1, [true]);
            var partners = Partners(memberScores);
            var neighbours = IsNeighbours ? Numerics.NeighbourDensity.DefaultNeighbours : 0;
            _gaussian = CombinedGaussian.Fit(statistics, count, partners, included, perClass, neighbours);
            _calibrationScores = CombinedGaussian.CrossFittedScores(statistics, count, partners, included, perClass, neighbours);
            return;
        }
        if (Rule == FingerprintOrDensityRule)
        {
            var (statistics, count) = (fingerprintStatistics.Values ?? throw new InvalidOperationException($"The {Rule} rule needs the fit records' fingerprint statistics."), fingerprintStatistics.Count);
            var partners = Partners(memberScores);
            // One mean per predicted class when the model has classes (as the fingerprint's default integration).
            _gaussian = CombinedGaussian.Fit(statistics, count, partners, _statistics, classes);
            var density = CombinedGaussian.CrossFittedScores(statistics, count, partners, _statistics, classes);
            _densityHeldOut = [.. density.Order()];
            _densityTailScale = ConformalEvidence.TailScale(_densityHeldOut);
            _weights = [FingerprintShare, 1 - FingerprintShare];
            var fingerprint = memberScores[Array.IndexOf(_members, FingerprintMember)];
            _calibrationScores = new double[n];
            for (var r = 0; r < n; r++) _calibrationScores[r] = EitherVoice(fingerprint[r], density[r], heldOutItself: true);
            return;
        }
        _weights = Rule switch
        {
            // A fingerprint without partners (a model without a linear head) keeps the whole budget.
            WeightedMinPRule => [.. _members.Select(m => _members.Length == 1 ? 1 : m == FingerprintMember ? FingerprintShare : (1 - FingerprintShare) / (_members.Length - 1))],
            DecorrelatedFisherRule => DecorrelatedWeights(memberScores),
            _ => null,
        };
        _calibrationScores = new double[n];
        // Each fit record measured against the other fit records, as a new record is against all of them.
        CombineEvidence(memberScores, _calibrationScores, heldOutItself: true);
    }

    /// <summary>The fingerprint's integrated scores as the one "statistic" of the score-Gaussian rules (the density reads its log).</summary>
    private static float[] ScoreAsStatistic(ReadOnlySpan<double> scores)
    {
        var values = new float[scores.Length];
        for (var i = 0; i < values.Length; i++) values[i] = (float)Math.Clamp(double.IsNaN(scores[i]) ? double.MaxValue : scores[i], 0, float.MaxValue);
        return values;
    }

    /// <summary>
    /// Weights Σ⁻¹1 of the members' evidence (−ln p) on the held-out records, clipped at 0 and summing to 1: the linear
    /// combination that best separates a shift common to the members, so that two members which say the same thing do
    /// not count twice against one that sees something else. Fitted on in-distribution records only.
    /// </summary>
    private double[] DecorrelatedWeights(double[][] memberScores)
    {
        var k = _members.Length;
        var n = memberScores[0].Length;
        var rows = new double[n * k];
        for (var m = 0; m < k; m++)
            for (var r = 0; r < n; r++) rows[r * k + m] = Evidence(m, memberScores[m][r]);
        var (_, inverseCholesky) = Numerics.GaussianFit.Fit(rows, n, k, diagonal: false);
        // Σ⁻¹ = L⁻ᵀ L⁻¹, so Σ⁻¹1 = L⁻ᵀ (L⁻¹ 1).
        var half = new double[k];
        for (var i = 0; i < k; i++) for (var j = 0; j <= i; j++) half[i] += inverseCholesky[i * k + j];
        var weights = new double[k];
        for (var j = 0; j < k; j++) for (var i = j; i < k; i++) weights[j] += inverseCholesky[i * k + j] * half[i];
        for (var j = 0; j < k; j++) weights[j] = Math.Max(0, weights[j]);
        var sum = weights.Sum();
        if (!(sum > 0)) return [.. Enumerable.Repeat(1.0 / k, k)];
        for (var j = 0; j < k; j++) weights[j] /= sum;
        return weights;
    }

    public void Score(DetectorInputs records, Span<double> scores)
    {
        DetectorGuard.ScoreSpan(records, scores);
        if (!IsFitted) throw new InvalidOperationException("The combined detector is not fitted.");
        var n = records.Records;
        var members = new double[_members.Length][];
        for (var m = 0; m < _members.Length; m++)
        {
            // The Gaussian rules read the fingerprint's statistics, not its integrated score.
            if (IsGaussian && _members[m] == FingerprintMember) continue;
            members[m] = new double[n];
            MemberScores(m, records, members[m]);
        }
        var (statistics, count) = ReadsStatistics ? RequireStatistics(records) : (null, 0);
        var perClass = PerClass || (Rule == FingerprintOrDensityRule && _gaussian!.ClassMeans is not null);
        Combine(members, scores[..n], statistics, count, perClass ? records.FitClasses(Name, preferLabels: false) : null);
    }

    private double[][] Partners(IReadOnlyList<double[]?> memberScores) =>
        [.. Enumerable.Range(0, _members.Length).Where(m => _members[m] != FingerprintMember).Select(m => memberScores[m]!)];

    private static (float[] Statistics, int Count) RequireStatistics(DetectorInputs records)
    {
        var statistics = records.FingerprintStatistics
            ?? throw new ArgumentException($"The combined detector's {GaussianRule} rule needs the fingerprint's statistics; pass them as DetectorInputs.FingerprintStatistics.");
        var count = records.FingerprintStatisticCount;
        if (count < 1 || statistics.Length != records.Records * count)
            throw new ArgumentException($"DetectorInputs.FingerprintStatistics holds {statistics.Length} values; {records.Records} records × {count} statistics are needed.");
        return (statistics, count);
    }

    /// <summary>
    /// The rule applied to the members' own scores ([member][record], in <see cref="Members"/> order); the Gaussian rule
    /// reads the fingerprint's statistics (interleaved [record, statistic]) in place of the fingerprint member's scores.
    /// </summary>
    /// <param name="classes">The records' predicted classes (read by the per-class Gaussian rule).</param>
    public void Combine(IReadOnlyList<double[]?> memberScores, Span<double> scores, float[]? statistics = null, int statisticCount = 0, int[]? classes = null)
    {
        ArgumentNullException.ThrowIfNull(memberScores);
        if (!IsFitted) throw new InvalidOperationException("The combined detector is not fitted.");
        if (memberScores.Count != _members.Length) throw new ArgumentException($"Give the scores of {_members.Length} members ({string.Join(", ", _members)}).", nameof(memberScores));
        for (var m = 0; m < _members.Length; m++)
        {
            if (IsGaussian && _members[m] == FingerprintMember) continue;
            if (memberScores[m] is not { } member || member.Length < scores.Length)
                throw new ArgumentException($"Member '{_members[m]}' has {memberScores[m]?.Length ?? 0} scores; {scores.Length} are needed.", nameof(memberScores));
        }
        if (IsDensity)
        {
            if (PerClass && (classes is null || classes.Length < scores.Length))
                throw new ArgumentException($"The {Rule} rule needs each record's predicted class.", nameof(classes));
            if (!IsGaussian)
                (statistics, statisticCount) = (ScoreAsStatistic(memberScores[Array.IndexOf(_members, FingerprintMember)].AsSpan(0, scores.Length)), 1);
            if (statistics is null || statisticCount != _gaussian!.StatisticCount || statistics.Length < scores.Length * statisticCount)
                throw new ArgumentException($"The {GaussianRule} rule reads {_gaussian!.StatisticCount} fingerprint statistics per record; pass them as DetectorInputs.FingerprintStatistics.", nameof(statistics));
            DensityScores(memberScores, scores, statistics, statisticCount, classes);
            return;
        }
        if (Rule == FingerprintOrDensityRule)
        {
            if (_gaussian!.ClassMeans is not null && (classes is null || classes.Length < scores.Length))
                throw new ArgumentException($"The {Rule} rule's density needs each record's predicted class.", nameof(classes));
            if (statistics is null || statisticCount != _gaussian.StatisticCount || statistics.Length < scores.Length * statisticCount)
                throw new ArgumentException($"The {Rule} rule reads {_gaussian.StatisticCount} fingerprint statistics per record; pass them as DetectorInputs.FingerprintStatistics.", nameof(statistics));
            DensityScores(memberScores, scores, statistics, statisticCount, classes);
            var fingerprint = memberScores[Array.IndexOf(_members, FingerprintMember)]!;
            for (var r = 0; r < scores.Length; r++) scores[r] = EitherVoice(fingerprint[r], scores[r], heldOutItself: false);
            return;
        }
        CombineEvidence(memberScores, scores, heldOutItself: false);
    }

    /// <summary>The p-value rules over the members' conformal evidence.</summary>
    /// <param name="heldOutItself">The records are the held-out records themselves (the calibration scores): each is measured
    /// against the others, as a new record is against all of them. Counted against itself too, a held-out record's p-value
    /// would be 1/(n+1) larger than a new record's with the same score: with a few hundred records and a partner holding
    /// 1/8 of a 5% budget (p ≈ 0.006, one or two records) it lets through more than the target (a unit test: 150 records).</param>
    private void CombineEvidence(IReadOnlyList<double[]?> memberScores, Span<double> scores, bool heldOutItself)
    {
        scores.Clear();
        for (var m = 0; m < _members.Length; m++)
        {
            var member = memberScores[m]!;
            for (var i = 0; i < scores.Length; i++)
            {
                var evidence = ConformalEvidence.Of(_heldOut[m], _tailScale[m], member[i], heldOutItself, _interpolated);
                scores[i] = Rule switch
                {
                    FisherRule => scores[i] + evidence,
                    DecorrelatedFisherRule => scores[i] + _weights![m] * evidence,
                    // Weighted Bonferroni: p_m / w_m, so −ln p_m + ln w_m; the first member sets the start (scores may be negative).
                    WeightedMinPRule => m == 0 ? evidence + Math.Log(_weights![m]) : Math.Max(scores[i], evidence + Math.Log(_weights![m])),
                    _ => Math.Max(scores[i], evidence),
                };
            }
        }
    }

    private void DensityScores(IReadOnlyList<double[]?> memberScores, Span<double> scores, float[] statistics, int statisticCount, int[]? classes)
    {
        var partners = Partners(memberScores);
        var column = new double[partners.Length];
        for (var r = 0; r < scores.Length; r++)
        {
            for (var p = 0; p < column.Length; p++) column[p] = partners[p][r];
            scores[r] = _gaussian!.Score(statistics.AsSpan(r * statisticCount, statisticCount), column, classes?[r] ?? -1);
        }
    }

    /// <summary>fingerprint-or-density: weighted Bonferroni of the fingerprint's and the density's conformal evidence.</summary>
    private double EitherVoice(double fingerprintScore, double densityScore, bool heldOutItself)
    {
        var fingerprint = ConformalEvidence.Of(_heldOut[Array.IndexOf(_members, FingerprintMember)], _tailScale[Array.IndexOf(_members, FingerprintMember)], fingerprintScore, heldOutItself, _interpolated) + Math.Log(_weights![0]);
        var density = ConformalEvidence.Of(_densityHeldOut!, _densityTailScale, densityScore, heldOutItself, _interpolated) + Math.Log(_weights[1]);
        return Math.Max(fingerprint, density);
    }

    /// <summary>The same members fitted by another rule on the same held-out records (to compare rules on the same fit);
    /// only right after <see cref="Fit(DetectorInputs, CancellationToken)"/> (a loaded detector no longer holds its fit records).</summary>
    public CombinedDetector WithRule(string rule) => Refit(_members, rule, FingerprintShare);

    /// <summary>A subset of these members fitted by a rule on the same held-out records (to compare members and rules on
    /// the same fit); only right after <see cref="Fit(DetectorInputs, CancellationToken)"/>.</summary>
    public CombinedDetector Refit(IReadOnlyList<string> members, string rule, double fingerprintShare = DefaultFingerprintShare)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (_fitScores is null) throw new InvalidOperationException("Another rule can be fitted only on a freshly fitted combined detector.");
        var index = members.Select(m => Array.IndexOf(_members, m)).ToArray();
        if (index.Any(i => i < 0)) throw new ArgumentException($"Only members of this detector ({string.Join(", ", _members)}) can be refitted.", nameof(members));
        var other = new CombinedDetector(members, rule, _statistics, fingerprintShare);
        for (var m = 0; m < index.Length; m++) other._bound[m] = _bound[index[m]];
        other.FitOn([.. index.Select(i => _fitScores[i])], _fitStatistics, _fitClasses);
        return other;
    }

    public DetectorState Save() => new CombinedState { Members = _members, Rule = Rule, HeldOutScores = _heldOut, Gaussian = _gaussian?.Save(), Weights = _weights, FingerprintShare = IsWeighted ? FingerprintShare : null, DensityHeldOutScores = _densityHeldOut, PValues = _interpolated && !IsDensity ? CombinedState.InterpolatedPValues : null };

    internal static CombinedDetector Load(CombinedState state)
    {
        state.EnsureReadable(DetectorNames.Combined);
        DetectorState.Require(state.Members.Length > 0 && state.HeldOutScores.Length == state.Members.Length && state.HeldOutScores.All(h => h.Length > 0),
            DetectorNames.Combined, "members and held-out scores do not match");
        DetectorState.Require(Rules.Contains(state.Rule), DetectorNames.Combined, $"the rule '{state.Rule}' is not known to this version");
        DetectorState.Require(state.Rule is not (GaussianRule or GaussianPerClassRule or NeighboursRule or NeighboursPerClassRule or ScoreGaussianRule or ScoreGaussianPerClassRule or FingerprintOrDensityRule) || state.Gaussian is not null, DetectorNames.Combined, "the Gaussian rule's density is missing");
        DetectorState.Require(state.Rule is not (WeightedMinPRule or DecorrelatedFisherRule) || (state.Weights?.Length == state.Members.Length && state.Weights.All(w => w >= 0 && double.IsFinite(w))),
            DetectorNames.Combined, "the members' weights are missing or do not match the members");
        DetectorState.Require(state.Rule != FingerprintOrDensityRule || (state.Weights is [> 0, > 0] && state.DensityHeldOutScores is { Length: > 0 }),
            DetectorNames.Combined, "the two voices' weights or the density's held-out scores are missing");
        DetectorState.Require(state.FingerprintShare is null or > 0 and < 1, DetectorNames.Combined, "the fingerprint's share must lie in (0, 1)");
        var detector = new CombinedDetector(state.Members, state.Rule, fingerprintShare: state.FingerprintShare ?? DefaultFingerprintShare);
        detector.SetHeldOut(state.HeldOutScores);
        detector._weights = state.Weights;
        DetectorState.Require(state.PValues is null or CombinedState.InterpolatedPValues, DetectorNames.Combined, $"p-values '{state.PValues}' are not known to this version");
        detector._interpolated = state.PValues == CombinedState.InterpolatedPValues;
        if (state.DensityHeldOutScores is { } density)
        {
            detector._densityHeldOut = density;
            detector._densityTailScale = ConformalEvidence.TailScale(density);
        }
        if (state.Gaussian is not null) detector._gaussian = CombinedGaussian.Load(state.Gaussian, state.Members.Count(m => m != FingerprintMember));
        DetectorState.Require(detector.IsNeighbours == (detector._gaussian?.NeighbourBank is not null)
            && (state.Rule != NeighboursPerClassRule || detector._gaussian!.NeighbourClasses is not null)
            && (state.Rule != NeighboursRule || detector._gaussian!.NeighbourClasses is null),
            DetectorNames.Combined, $"the {state.Rule} rule's density does not match it (a neighbour bank is saved with the neighbours rules only)");
        return detector;
    }

    /// <summary>−ln of the member's conformal p-value, extended past its largest held-out score so far-out records stay ordered.</summary>
    private double Evidence(int member, double score) => ConformalEvidence.Of(_heldOut[member], _tailScale[member], score, heldOutItself: false, _interpolated);

    private void MemberScores(int member, DetectorInputs records, Span<double> scores)
    {
        if (_members[member] == FingerprintMember)
        {
            var fingerprint = records.FingerprintScores
                ?? throw new ArgumentException("The combined detector needs the fingerprint's scores; pass them as DetectorInputs.FingerprintScores.");
            fingerprint.AsSpan(0, records.Records).CopyTo(scores);
            return;
        }
        var detector = _bound[member] ?? throw new InvalidOperationException($"The combined detector's member '{_members[member]}' is not bound; call Bind with the detector set.");
        detector.Score(records, scores);
    }

    private void SetHeldOut(double[][] heldOut)
    {
        _heldOut = heldOut;
        _tailScale = new double[heldOut.Length];
        for (var m = 0; m < heldOut.Length; m++) _tailScale[m] = ConformalEvidence.TailScale(heldOut[m]);
    }

}
