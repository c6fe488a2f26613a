using NeuralFP.Core.Detectors.State;

namespace NeuralFP.Core.Detectors;

/// <summary>
/// The fingerprint fused with the strongest other evidence, with members fixed before any evaluation: the
/// fingerprint's integrated score, k-NN on the penultimate features (when the head is linear) and energy on the
/// logits. Each member's score becomes a conformal p-value against its own scores on held-out in-distribution
/// records; the rule (Fisher: Σ −ln p_m; min-p: max −ln p_m) joins them, and its threshold is calibrated on
/// held-out in-distribution records too. No OOD data is used anywhere.
/// </summary>
public sealed class CombinedDetector : IOodDetector
{
    public const string FisherRule = "fisher";
    public const string MinPRule = "min-p";
    public const string FingerprintMember = "fingerprint";

    private const double Ln10 = 2.302585092994046;

    private readonly string[] _members;
    private double[][] _heldOut = [];
    private double[] _tailScale = [];
    private IOodDetector?[] _bound;

    /// <param name="members">"fingerprint" and names of detectors of the same set, e.g. knn, energy.</param>
    /// <param name="rule"><see cref="FisherRule"/> or <see cref="MinPRule"/>.</param>
    public CombinedDetector(IReadOnlyList<string> members, string rule = FisherRule)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("The combined detector needs at least one member.", nameof(members));
        if (rule is not (FisherRule or MinPRule)) throw new ArgumentException($"Unknown combination rule '{rule}'; use {FisherRule} or {MinPRule}.", nameof(rule));
        _members = [.. members];
        Rule = rule;
        _bound = new IOodDetector?[_members.Length];
    }

    public IReadOnlyList<string> Members => _members;

    public string Rule { get; }

    public string Name => DetectorNames.Combined;

    public string Description => $"{Rule} of conformal p-values of {string.Join(" + ", _members)} against their held-out in-distribution scores (members fixed a priori)";

    public bool IsFitted => _heldOut.Length == _members.Length;

    public bool KeepsReferenceData => false;

    public long StateBytes => _heldOut.Sum(h => (long)h.Length * sizeof(double));

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

    /// <summary>Keeps each member's scores on held-out in-distribution records (they must not be the members' fit records).</summary>
    public void Fit(DetectorInputs reference, CancellationToken cancellationToken = default)
    {
        DetectorGuard.NotEmpty(reference, Name);
        var heldOut = new double[_members.Length][];
        for (var m = 0; m < _members.Length; m++)
        {
            var scores = new double[reference.Records];
            MemberScores(m, reference, scores);
            Array.Sort(scores);
            heldOut[m] = scores;
        }
        SetHeldOut(heldOut);
    }

    public void Score(DetectorInputs records, Span<double> scores)
    {
        DetectorGuard.ScoreSpan(records, scores);
        if (!IsFitted) throw new InvalidOperationException("The combined detector is not fitted.");
        var n = records.Records;
        var members = new double[_members.Length][];
        for (var m = 0; m < _members.Length; m++)
        {
            members[m] = new double[n];
            MemberScores(m, records, members[m]);
        }
        Combine(members, scores[..n]);
    }

    /// <summary>The rule applied to the members' own scores ([member][record], in <see cref="Members"/> order).</summary>
    public void Combine(IReadOnlyList<double[]> memberScores, Span<double> scores)
    {
        ArgumentNullException.ThrowIfNull(memberScores);
        if (!IsFitted) throw new InvalidOperationException("The combined detector is not fitted.");
        if (memberScores.Count != _members.Length) throw new ArgumentException($"Give the scores of {_members.Length} members ({string.Join(", ", _members)}).", nameof(memberScores));
        scores.Clear();
        for (var m = 0; m < _members.Length; m++)
        {
            var member = memberScores[m];
            if (member.Length < scores.Length) throw new ArgumentException($"Member '{_members[m]}' has {member.Length} scores; {scores.Length} are needed.", nameof(memberScores));
            for (var i = 0; i < scores.Length; i++)
            {
                var evidence = Evidence(m, member[i]);
                scores[i] = Rule == FisherRule ? scores[i] + evidence : Math.Max(scores[i], evidence);
            }
        }
    }

    /// <summary>The same members and held-out scores joined by another rule (to compare rules on the same fit).</summary>
    public CombinedDetector WithRule(string rule)
    {
        var other = new CombinedDetector(_members, rule);
        other.SetHeldOut(_heldOut);
        return other;
    }

    public DetectorState Save() => new CombinedState { Members = _members, Rule = Rule, HeldOutScores = _heldOut };

    internal static CombinedDetector Load(CombinedState state)
    {
        state.EnsureReadable(DetectorNames.Combined);
        DetectorState.Require(state.Members.Length > 0 && state.HeldOutScores.Length == state.Members.Length && state.HeldOutScores.All(h => h.Length > 0),
            DetectorNames.Combined, "members and held-out scores do not match");
        var detector = new CombinedDetector(state.Members, state.Rule);
        detector.SetHeldOut(state.HeldOutScores);
        return detector;
    }

    /// <summary>−ln of the member's conformal p-value, extended past its largest held-out score so far-out records stay ordered.</summary>
    private double Evidence(int member, double score)
    {
        var sorted = _heldOut[member];
        if (double.IsNaN(score)) score = double.MaxValue;
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < score) lo = mid + 1; else hi = mid;
        }
        var p = (1.0 + sorted.Length - lo) / (sorted.Length + 1);
        var beyond = score > sorted[^1] ? Math.Min((score - sorted[^1]) / _tailScale[member], 1e6) * Ln10 : 0;
        return -Math.Log(p) + beyond;
    }

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
        for (var m = 0; m < heldOut.Length; m++)
        {
            var s = heldOut[m];
            double q90 = s[(int)(0.9 * (s.Length - 1))], q99 = s[(int)(0.99 * (s.Length - 1))];
            var range = s[^1] - s[0];
            _tailScale[m] = q99 - q90 > 1e-12 ? q99 - q90 : range > 1e-12 ? range : 1.0;
        }
    }
}
