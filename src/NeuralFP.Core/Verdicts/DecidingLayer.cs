namespace NeuralFP.Core.Verdicts;

/// <summary>
/// Which layer's evidence decided a verdict: among the layers that fired, the one with the smallest p-value; for a
/// record where none fired, the layer closest to firing (smallest p-value, ties to the error furthest past its τ).
/// Every layer sits at the same tail level, so the smallest p-value fires first; under the integrated rules it is also
/// the largest term of Fisher's Σ −ln p_l.
/// </summary>
public static class DecidingLayer
{
    /// <summary>The fired layer with the smallest p-value, or null when no layer fired.</summary>
    public static LayerVerdict? Of(Verdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        LayerVerdict? best = null;
        foreach (var layer in verdict.Layers)
            if (layer.Fired && (best is null || Stronger(layer, best))) best = layer;
        return best;
    }

    /// <summary>The layer that decided the verdict: the one the scorer named (<see cref="Verdict.Decided"/>), else the layer with
    /// the strongest evidence whether or not any fired.</summary>
    public static LayerVerdict Strongest(Verdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        if (verdict.Decided is { } decided)
            foreach (var layer in verdict.Layers)
                if (layer.Layer == decided) return layer;
        var fired = Of(verdict);
        if (fired is not null) return fired;
        var best = verdict.Layers[0];
        foreach (var layer in verdict.Layers)
            if (Stronger(layer, best)) best = layer;
        return best;
    }

    /// <summary>
    /// The same rule as <see cref="Strongest"/> over one record's per-layer detail held in spans (no objects): the index
    /// of the deciding layer, in the rule's layer order.
    /// </summary>
    public static int StrongestIndex(OneOutRule rule, ReadOnlySpan<float> errors, ReadOnlySpan<double> pValues, ReadOnlySpan<bool> fired)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var best = -1;
        for (var pass = 0; pass < 2 && best < 0; pass++)
            for (var l = 0; l < errors.Length; l++)
            {
                if (pass == 0 && !fired[l]) continue;
                if (best < 0 || Stronger(pValues[l], Excess(errors[l], rule.UpperOf(l)), pValues[best], Excess(errors[best], rule.UpperOf(best)))) best = l;
            }
        return best;
    }

    private static bool Stronger(LayerVerdict a, LayerVerdict b) =>
        Stronger(a.PValue, Excess(a.Error, a.Upper), b.PValue, Excess(b.Error, b.Upper));

    private static bool Stronger(double pA, double excessA, double pB, double excessB) =>
        pA < pB || (pA == pB && excessA > excessB);

    // How far past τ the error lies, relative to τ (p-values tie at the floor beyond the held-out range).
    private static double Excess(double error, double upper) => upper > 0 ? error / upper : error;
}
