using NeuralFP.Core.Verdicts;

namespace NeuralFP.Application.Drift;

/// <summary>What the drift window keeps of a batch of fingerprint verdicts: each record's outcome (true = OOD) and, per layer, how many records fired there.</summary>
public sealed record VerdictOutcomes(bool[] Outcomes, long[]? LayerFires)
{
    /// <summary>From a scored batch's arrays, without building a verdict object per record.</summary>
    public static VerdictOutcomes Of(VerdictBatch verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        var fires = new long[verdicts.Count == 0 ? 0 : verdicts.LayerCount];
        for (var r = 0; r < verdicts.Count; r++)
        {
            var fired = verdicts.Fired(r);
            for (var l = 0; l < fires.Length; l++)
                if (fired[l]) fires[l]++;
        }
        return new VerdictOutcomes(verdicts.Ood.ToArray(), fires);
    }

    public static VerdictOutcomes Of(IReadOnlyList<Verdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        var outcomes = new bool[verdicts.Count];
        var fires = new long[verdicts.Count == 0 ? 0 : verdicts[0].Layers.Count];
        for (var r = 0; r < outcomes.Length; r++)
        {
            var verdict = verdicts[r];
            outcomes[r] = verdict.Ood;
            var layers = verdict.Layers;
            for (var l = 0; l < fires.Length && l < layers.Count; l++)
                if (layers[l].Fired) fires[l]++;
        }
        return new VerdictOutcomes(outcomes, fires);
    }

    public int OodCount
    {
        get
        {
            var ood = 0;
            foreach (var outcome in Outcomes) if (outcome) ood++;
            return ood;
        }
    }

    /// <summary>Element-wise sum; a null or differently sized side (another layer list) counts as no fires recorded.</summary>
    internal static long[]? Add(long[]? a, long[]? b)
    {
        if (a is null) return b is null ? null : [.. b];
        if (b is null) return [.. a];
        if (a.Length != b.Length) return [.. b];
        var sum = new long[a.Length];
        for (var i = 0; i < sum.Length; i++) sum[i] = a[i] + b[i];
        return sum;
    }
}
