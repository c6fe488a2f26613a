namespace NeuralFP.Core.Verdicts;

/// <summary>
/// NeuralFP's "one-out" integration: a record is OOD iff ∃l: e_l &gt; τ_l or e_l &lt; μ_l, with the
/// thresholds calibrated so the whole rule's false-positive rate on held-out data meets the target.
/// Serialisable with System.Text.Json (all state is public properties set by the constructor).
/// </summary>
/// <remarks>
/// Every layer sits at the same tail level α (<see cref="LayerAlpha"/>): two-sided μ_l = Q_l(α/2), τ_l = Q_l(1 − α/2);
/// one-sided τ_l = Q_l(1 − α) and μ_l = 0, or <see cref="double.MinValue"/> if held-out errors go below 0, so it
/// never fires. α is found by bisection so that the share of held-out records on which ANY layer fires is as close
/// as possible to the target FPR. A NaN error fires its layer.
/// </remarks>
public sealed class OneOutRule
{
    private readonly string[] _layers;
    private readonly ErrorDistribution[] _distributions;
    private readonly double[] _lower;
    private readonly double[] _upper;

    public OneOutRule(
        IReadOnlyList<string> layers,
        IReadOnlyList<ErrorDistribution> distributions,
        double[] lower,
        double[] upper,
        double layerAlpha,
        bool twoSided,
        double targetFpr,
        double realisedFpr)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(distributions);
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        ValidateLayers(layers);
        int count = layers.Count;
        if (distributions.Count != count || lower.Length != count || upper.Length != count)
            throw new ArgumentException(
                $"A rule needs one distribution, lower and upper threshold per layer: {count} layers, {distributions.Count} distributions, {lower.Length} lower, {upper.Length} upper.");
        for (int l = 0; l < count; l++)
        {
            if (distributions[l] is null)
                throw new ArgumentException($"Layer '{layers[l]}' has no error distribution.", nameof(distributions));
            if (double.IsNaN(lower[l]) || double.IsNaN(upper[l]) || lower[l] > upper[l])
                throw new ArgumentException($"Layer '{layers[l]}' has thresholds [{lower[l]}, {upper[l]}]; lower must be ≤ upper.");
        }
        if (!(layerAlpha >= 0 && layerAlpha <= 1))
            throw new ArgumentOutOfRangeException(nameof(layerAlpha), layerAlpha, "The per-layer level must be in [0, 1].");
        ValidateTargetFpr(targetFpr);
        if (!(realisedFpr >= 0 && realisedFpr <= 1))
            throw new ArgumentOutOfRangeException(nameof(realisedFpr), realisedFpr, "The realised FPR must be in [0, 1].");

        _layers = [.. layers];
        _distributions = [.. distributions];
        _lower = (double[])lower.Clone();
        _upper = (double[])upper.Clone();
        LayerAlpha = layerAlpha;
        TwoSided = twoSided;
        TargetFpr = targetFpr;
        RealisedFpr = realisedFpr;
    }

    /// <summary>Calibrates τ_l, μ_l on held-out errors ([layer][record], the same records in every layer) for the target whole-rule FPR.</summary>
    /// <exception cref="ArgumentException">Mismatched layers, too few records for the target, or non-finite errors.</exception>
    public static OneOutRule Calibrate(IReadOnlyList<string> layers, IReadOnlyList<float[]> heldOutErrors, double targetFpr, bool twoSided)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(heldOutErrors);
        ValidateLayers(layers);
        ValidateTargetFpr(targetFpr);
        if (heldOutErrors.Count != layers.Count)
            throw new ArgumentException($"Got held-out errors for {heldOutErrors.Count} layers but {layers.Count} layer names.", nameof(heldOutErrors));
        int records = heldOutErrors[0]?.Length ?? 0;
        for (int l = 0; l < heldOutErrors.Count; l++)
        {
            if (heldOutErrors[l] is null || heldOutErrors[l].Length != records)
                throw new ArgumentException(
                    $"Every layer needs errors for the same held-out records: layer '{layers[0]}' has {records}, layer '{layers[l]}' has {heldOutErrors[l]?.Length ?? 0}.", nameof(heldOutErrors));
        }
        int needed = (int)Math.Ceiling(1 / targetFpr - 1e-9);
        if (records < needed)
            throw new ArgumentException(
                $"Calibrating a false-positive rate of {targetFpr} needs at least {needed} held-out records; got {records}. Provide more reference records or raise the target.", nameof(heldOutErrors));

        var distributions = new ErrorDistribution[layers.Count];
        for (int l = 0; l < layers.Count; l++)
        {
            try
            {
                distributions[l] = ErrorDistribution.FromSamples(heldOutErrors[l]);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Layer '{layers[l]}': {e.Message}", nameof(heldOutErrors), e);
            }
        }

        var search = new AlphaSearch(distributions, heldOutErrors, twoSided);
        double alpha = search.Find(targetFpr, out double realised);
        search.Thresholds(alpha, out double[] lower, out double[] upper);
        return new OneOutRule(layers, distributions, lower, upper, alpha, twoSided, targetFpr, realised);
    }

    public IReadOnlyList<string> Layers => _layers;

    public IReadOnlyList<ErrorDistribution> Distributions => _distributions;

    /// <summary>μ_l per layer (a copy).</summary>
    public double[] Lower => (double[])_lower.Clone();

    /// <summary>τ_l per layer (a copy).</summary>
    public double[] Upper => (double[])_upper.Clone();

    /// <summary>Per-layer tail level that the thresholds sit at.</summary>
    public double LayerAlpha { get; }

    public bool TwoSided { get; }

    public double TargetFpr { get; }

    /// <summary>FPR of the rule on the held-out records it was calibrated on.</summary>
    public double RealisedFpr { get; }

    /// <summary>Allocation-free decision for one record's layer errors (in <see cref="Layers"/> order).</summary>
    public bool IsOod(ReadOnlySpan<float> layerErrors)
    {
        CheckLength(layerErrors);
        for (int l = 0; l < _lower.Length; l++)
        {
            if (Fires(l, layerErrors[l])) return true;
        }
        return false;
    }

    /// <summary>
    /// Allocation-free continuous score, higher = more OOD: −log10(L·min_l p_l), deliberately not capped at p = 1 so
    /// that typical records stay ordered instead of tying at 0 (a tie block that large makes FPR@95%TPR meaningless),
    /// plus, for errors beyond the
    /// held-out range, how many decades of tail probability the furthest one lies past it (see
    /// <see cref="ErrorDistribution"/>), so records beyond every reference error stay ordered. Always finite.
    /// </summary>
    public double Score(ReadOnlySpan<float> layerErrors)
    {
        CheckLength(layerErrors);
        double minP = 1, decades = 0;
        for (int l = 0; l < _distributions.Length; l++)
        {
            double e = Clamp(layerErrors[l]);
            var distribution = _distributions[l];
            minP = Math.Min(minP, distribution.PValue(e, TwoSided));
            decades = Math.Max(decades, distribution.TailDecades(e, TwoSided));
        }
        return -Math.Log10(_layers.Length * minP) + decades;
    }

    public Verdict Evaluate(ReadOnlySpan<float> layerErrors, int predictedClass, double maxProbability)
    {
        CheckLength(layerErrors);
        Span<double> pValues = stackalloc double[_layers.Length];
        Span<bool> fired = stackalloc bool[_layers.Length];
        bool ood = EvaluateLayers(layerErrors, pValues, fired, out double pValue);
        var layers = new LayerVerdict[_layers.Length];
        for (int l = 0; l < layers.Length; l++)
            layers[l] = new LayerVerdict(_layers[l], layerErrors[l], _lower[l], _upper[l], pValues[l], fired[l]);
        return new Verdict(ood, Score(layerErrors), pValue, predictedClass, maxProbability, layers);
    }

    /// <summary>
    /// Allocation-free per-layer detail of one record: each layer's p-value and whether it fired; returns the rule's
    /// verdict and gives the Bonferroni-corrected smallest p-value.
    /// </summary>
    public bool EvaluateLayers(ReadOnlySpan<float> layerErrors, Span<double> pValues, Span<bool> fired, out double pValue)
    {
        CheckLength(layerErrors);
        bool ood = false;
        double minP = 1;
        for (int l = 0; l < _layers.Length; l++)
        {
            float e = layerErrors[l];
            double p = _distributions[l].PValue(Clamp(e), TwoSided);
            bool fires = Fires(l, e);
            ood |= fires;
            minP = Math.Min(minP, p);
            pValues[l] = p;
            fired[l] = fires;
        }
        pValue = Bonferroni(minP);
        return ood;
    }

    /// <summary>μ_l of one layer, without copying the array.</summary>
    public double LowerOf(int layer) => _lower[layer];

    /// <summary>τ_l of one layer, without copying the array.</summary>
    public double UpperOf(int layer) => _upper[layer];

    // Written as "not inside" so a NaN error fires.
    private bool Fires(int layer, float error) => !(error >= _lower[layer] && error <= _upper[layer]);

    private double Bonferroni(double minP) => Math.Min(1, _layers.Length * minP);

    // NaN and infinities (a broken forward pass) count as the most extreme errors while keeping the score finite.
    private static double Clamp(float error) =>
        float.IsNaN(error) ? float.MaxValue : Math.Clamp(error, float.MinValue, float.MaxValue);

    private void CheckLength(ReadOnlySpan<float> layerErrors)
    {
        if (layerErrors.Length != _layers.Length)
            throw new ArgumentException($"Expected {_layers.Length} layer errors (one per fingerprint layer), got {layerErrors.Length}.", nameof(layerErrors));
    }

    private static void ValidateLayers(IReadOnlyList<string> layers)
    {
        if (layers.Count == 0)
            throw new ArgumentException("A rule needs at least one layer.", nameof(layers));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string layer in layers)
        {
            if (string.IsNullOrEmpty(layer))
                throw new ArgumentException("Layer names must be non-empty.", nameof(layers));
            if (!seen.Add(layer))
                throw new ArgumentException($"Layer '{layer}' appears twice.", nameof(layers));
        }
    }

    private static void ValidateTargetFpr(double targetFpr)
    {
        if (!(targetFpr > 0 && targetFpr < 1))
            throw new ArgumentOutOfRangeException(nameof(targetFpr), targetFpr, "The target false-positive rate must be in (0, 1), e.g. 0.05.");
    }
}
