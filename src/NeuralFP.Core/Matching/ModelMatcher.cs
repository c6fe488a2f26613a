using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Matching;

/// <summary>Scores how well a batch fits a fingerprint, and ranks fingerprints by it.</summary>
/// <remarks>
/// Match score = InDistributionShare × (1 − MeanDistance), in [0, 1], higher fits better, where
/// <list type="bullet">
/// <item>InDistributionShare is the share of the batch's records that the model's one-out rule calls in distribution;</item>
/// <item>MeanDistance is the mean over layers of the Kolmogorov–Smirnov statistic sup_x |F_batch(x) − F_ref(x)| between
/// the batch's empirical error distribution and the fingerprint's held-out one (its interpolated CDF), each in [0, 1].</item>
/// </list>
/// The first term asks "are the records individually plausible?", the second "do they, together, look like the
/// held-out data?" — a batch of only unusually easy records passes the first but not the second.
/// </remarks>
public static class ModelMatcher
{
    /// <summary>
    /// One model's match for a batch, from the batch's layer errors ([layer][record], in the rule's layer order)
    /// under that model's rule. <see cref="MatchResult.Rank"/> is 0 until ranked.
    /// </summary>
    /// <exception cref="ArgumentException">The errors do not have one equally long row per rule layer, or are empty.</exception>
    public static MatchResult Score(string modelId, OneOutRule rule, IReadOnlyList<float[]> batchErrors)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(batchErrors);
        int layers = rule.Layers.Count;
        if (batchErrors.Count != layers)
            throw new ArgumentException($"Model '{modelId}' has {layers} fingerprint layers but errors for {batchErrors.Count} were given.", nameof(batchErrors));
        float[][] rows = [.. batchErrors]; // plain arrays: no interface call per value below
        int records = rows[0]?.Length ?? 0;
        if (records == 0)
            throw new ArgumentException("The batch has no records to match.", nameof(batchErrors));
        foreach (float[] row in rows)
        {
            if (row is null || row.Length != records)
                throw new ArgumentException($"Every layer needs errors for the same {records} records; got a row of {row?.Length ?? 0}.", nameof(batchErrors));
        }

        int inDistribution = 0;
        Span<float> recordErrors = layers <= 256 ? stackalloc float[layers] : new float[layers];
        for (int r = 0; r < records; r++)
        {
            for (int l = 0; l < layers; l++) recordErrors[l] = rows[l][r];
            if (!rule.IsOod(recordErrors)) inDistribution++;
        }

        var distances = new Dictionary<string, double>(layers, StringComparer.Ordinal);
        var sorted = new double[records];
        double sum = 0;
        for (int l = 0; l < layers; l++)
        {
            double d = KolmogorovSmirnov(rows[l], rule.Distributions[l], sorted);
            distances[rule.Layers[l]] = d;
            sum += d;
        }

        double share = (double)inDistribution / records;
        double meanDistance = sum / layers;
        return new MatchResult(modelId, share * (1 - meanDistance), share, meanDistance, distances, Rank: 0);
    }

    /// <summary>Sorts by score, best first, and fills in ranks from 1 (ties broken by model id, ordinal).</summary>
    public static IReadOnlyList<MatchResult> Rank(IEnumerable<MatchResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return results
            .OrderByDescending(r => r.Score)
            .ThenBy(r => r.ModelId, StringComparer.Ordinal)
            .Select((r, i) => r with { Rank = i + 1 })
            .ToList();
    }

    /// <summary>
    /// One-sample KS statistic of the batch against the reference CDF. The reference CDF is continuous between grid
    /// points, so the supremum is reached at a batch value, just before or at its step.
    /// </summary>
    internal static double KolmogorovSmirnov(ReadOnlySpan<float> batch, ErrorDistribution reference, double[] scratch)
    {
        int m = batch.Length;
        Span<double> sorted = scratch.AsSpan(0, m);
        for (int i = 0; i < m; i++)
            sorted[i] = float.IsNaN(batch[i]) ? double.PositiveInfinity : batch[i]; // a broken error is beyond every reference error
        sorted.Sort();

        double d = 0;
        for (int i = 0; i < m; i++)
        {
            double f = reference.Cdf(sorted[i]);
            d = Math.Max(d, Math.Max((i + 1.0) / m - f, f - (double)i / m));
        }
        return Math.Min(d, 1);
    }
}
