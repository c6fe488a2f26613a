namespace NeuralFP.Benchmarks;

/// <summary>
/// The panel's calibration guard, fixed (item 24) before the variants it would judge were re-read: a variant is eligible
/// for the AUROC rule only if, on every panel model, the fingerprint's and the combined detector's realised FPR, averaged
/// over the run's seeds, lies within 5% ± t, where t is the band (1 pp; 2 pp for a table) widened to twice the
/// standard error a perfectly calibrated threshold still shows over that many seeds (2·sd/√seeds, sd from item 5). A
/// variant may not buy AUROC with thresholds the small tables do not honour. Since item 25 the combined detector's rule
/// table reads it too, on each rule's own realised FPR.
/// </summary>
internal static class CalibrationGuard
{
    private const double Target = 0.05;

    /// <summary>One model's realised FPR under one variant and detector, averaged over seeds.</summary>
    public sealed record Reading(string Model, bool Tabular, string Detector, double MeanFpr, int Seeds, double SamplingSd);

    /// <summary>The guard's tolerance around 5% for a model with this sampling sd, read over this many seeds.</summary>
    public static double Tolerance(bool tabular, double samplingSd, int seeds) =>
        Math.Max(tabular ? 0.02 : 0.01, double.IsNaN(samplingSd) || seeds < 1 ? 0 : 2 * samplingSd / Math.Sqrt(seeds));

    /// <summary>The readings outside their tolerance (empty: the variant passes).</summary>
    public static IReadOnlyList<Reading> Failures(IEnumerable<Reading> readings) =>
        [.. readings.Where(r => Math.Abs(r.MeanFpr - Target) > Tolerance(r.Tabular, r.SamplingSd, r.Seeds))];

    /// <summary>What the variants table prints in its guard column.</summary>
    public static string Describe(IReadOnlyList<Reading> failures) =>
        failures.Count == 0 ? "pass" : "fail: " + string.Join("; ", failures.Select(f =>
            $"{f.Model} {f.Detector} {f.MeanFpr:P1} (5 ± {Tolerance(f.Tabular, f.SamplingSd, f.Seeds) * 100:F1} pp)"));
}
