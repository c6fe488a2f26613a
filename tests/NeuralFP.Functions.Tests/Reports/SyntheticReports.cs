using NeuralFP.Core.Monitoring;
using NeuralFP.Functions.Reports;

namespace NeuralFP.Functions.Tests.Reports;

/// <summary>Seeded report models shaped like real fingerprints: log-normal held-out errors per layer.</summary>
internal static class SyntheticReports
{
    public const int QuantileCount = 1001;

    public static readonly string[] LayerNames = ["input", "/conv1/Relu_output_0", "/fc1/Relu_output_0", "logits"];

    /// <summary>Layers with 1001 quantiles each, μ at the 0.5% and τ at the 99% quantile, and a batch
    /// whose first half is drawn like the reference and second half with errors six times larger.</summary>
    public static ReportModel Create(int seed = 17, int batchSize = 40, IReadOnlyList<string>? names = null)
    {
        var random = new Random(seed);
        names ??= LayerNames;
        var layers = new List<LayerReport>();
        for (int l = 0; l < names.Count; l++)
        {
            double scale = 0.05 * (l + 1);
            double spread = 0.35 + 0.1 * l;
            var samples = Enumerable.Range(0, 4000).Select(_ => LogNormal(random, scale, spread)).Order().ToArray();
            var quantiles = QuantilesOf(samples);
            double[]? batch = null;
            if (batchSize > 0)
            {
                batch = Enumerable.Range(0, batchSize)
                    .Select(i => LogNormal(random, scale, spread) * (i < batchSize / 2 ? 1.0 : 6.0))
                    .ToArray();
            }

            layers.Add(new LayerReport(names[l], quantiles, Quantile(samples, 0.005), Quantile(samples, 0.99), batch));
        }

        var drift = new DriftSummary(
            LastDayRecords: 1234,
            LastDayOodCount: 98,
            Window: DriftState.Evaluate(500, 61, new DriftOptions { WindowSize = 500, Alpha = 0.001, ExpectedOodRate = 0.05 }));
        return new ReportModel(
            ModelId: "fashion-cnn",
            Version: "20261123T0412-3f9a",
            GeneratedAt: new DateTimeOffset(2026, 11, 23, 6, 30, 0, TimeSpan.Zero),
            Layers: layers,
            Calibration: new CalibrationSummary(TargetFpr: 0.05, RealisedFpr: 0.0497, ReferenceRecords: 10_000, HeldOutRecords: 4_000, TwoSided: true),
            Drift: drift,
            BatchLabel: batchSize > 0 ? "gateway-7 batch 2026-11-23T06:00Z" : null);
    }

    private static double[] QuantilesOf(double[] sorted)
    {
        var quantiles = new double[QuantileCount];
        for (int i = 0; i < QuantileCount; i++)
        {
            quantiles[i] = Quantile(sorted, (double)i / (QuantileCount - 1));
        }

        return quantiles;
    }

    private static double Quantile(double[] sorted, double level)
    {
        double position = level * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        if (below >= sorted.Length - 1)
        {
            return sorted[^1];
        }

        return sorted[below] + (position - below) * (sorted[below + 1] - sorted[below]);
    }

    private static double LogNormal(Random random, double median, double sigma)
    {
        // Box–Muller: one standard normal from two uniforms.
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        double normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return median * Math.Exp(sigma * normal);
    }
}
