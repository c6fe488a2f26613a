using NeuralFP.Core.Explanations;
using NeuralFP.Core.Monitoring;
using NeuralFP.Functions.Reports;

namespace NeuralFP.Functions.Tests.Reports;

/// <summary>Seeded report models shaped like real fingerprints: log-normal held-out errors per layer.</summary>
internal static class SyntheticReports
{
    public const int QuantileCount = 1001;

    public static readonly string[] LayerNames = ["input", "/conv1/Relu_output_0", "/fc1/Relu_output_0", "logits"];

    public const int ImageSide = 28;

    /// <summary>Hours of the synthetic drift history that had the alarm up (ending 4 hours before the report).</summary>
    public const int AlarmHours = 6;

    /// <summary>Layers with 1001 quantiles each, μ at the 0.5% and τ at the 99% quantile, and a batch
    /// whose first half is drawn like the reference and second half with errors six times larger. The first layer
    /// is long-tailed like a real input layer (its errors span decades); the drift summary carries a week of hours with
    /// an alarm period and the last day's per-layer fires; with a batch, the most unusual records come with images and heatmaps.</summary>
    public static ReportModel Create(int seed = 17, int batchSize = 40, IReadOnlyList<string>? names = null)
    {
        var random = new Random(seed);
        names ??= LayerNames;
        var layers = new List<LayerReport>();
        for (int l = 0; l < names.Count; l++)
        {
            double scale = 0.05 * (l + 1);
            double spread = l == 0 ? 1.6 : 0.35 + 0.1 * l;
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

        var generatedAt = new DateTimeOffset(2026, 11, 23, 6, 30, 0, TimeSpan.Zero);
        var drift = new DriftSummary(
            LastDayRecords: 1234,
            LastDayOodCount: 98,
            Window: DriftState.Evaluate(500, 61, new DriftOptions { WindowSize = 500, Alpha = 0.001, ExpectedOodRate = 0.05 }),
            Hours: Hours(generatedAt),
            AlarmSince: generatedAt.AddHours(-9.5),
            LayerFireRecords: 1234,
            LayerFires: [.. Enumerable.Range(0, names.Count).Select(l => 60L - 12 * l)]);
        return new ReportModel(
            ModelId: "fashion-cnn",
            Version: "20261123T0412-3f9a",
            GeneratedAt: generatedAt,
            Layers: layers,
            Calibration: new CalibrationSummary(TargetFpr: 0.05, RealisedFpr: 0.0497, ReferenceRecords: 10_000, HeldOutRecords: 4_000, TwoSided: true,
                NewDataFpr: Core.Metrics.FprInterval.Of(4_000, 198)),
            Drift: drift,
            BatchLabel: batchSize > 0 ? "gateway-7 batch 2026-11-23T06:00Z" : null,
            Unusual: batchSize > 0 ? Unusual(random, Math.Min(6, batchSize)) : null);
    }

    /// <summary>A week of hours: about 4% OOD, 18% during the alarm (hours 9 to 4 before the report), none 30 to 33 hours before.</summary>
    public static List<HourlyRate> Hours(DateTimeOffset now)
    {
        var last = new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.UtcDateTime.Hour), TimeSpan.Zero);
        var hours = new List<HourlyRate>();
        for (int ago = 7 * 24 - 1; ago >= 0; ago--)
        {
            if (ago is >= 30 and <= 33) continue;
            long records = 40 + (ago % 7) * 5;
            bool alarm = ago is >= 4 and < 4 + AlarmHours;
            long ood = alarm || ago == 10 ? records * 18 / 100 : records * (2 + ago % 4) / 100;
            hours.Add(new HourlyRate(last.AddHours(-ago), records, ood, alarm));
        }

        return hours;
    }

    /// <summary>Garment-like images, each with a bright square pasted on it; the heatmap is hot inside the square.</summary>
    public static List<UnusualRecord> Unusual(Random random, int count)
    {
        var records = new List<UnusualRecord>();
        for (int k = 0; k < count; k++)
        {
            int top = 4 + random.Next(16), left = 4 + random.Next(16);
            var pixels = new float[ImageSide * ImageSide];
            var heatmap = new float[ImageSide][];
            for (int r = 0; r < ImageSide; r++)
            {
                heatmap[r] = new float[ImageSide];
                for (int c = 0; c < ImageSide; c++)
                {
                    double dr = (r - 13.5) / 11, dc = (c - 13.5) / 7;
                    bool garment = dr * dr + dc * dc < 1;
                    bool square = r >= top && r < top + 7 && c >= left && c < left + 7;
                    pixels[r * ImageSide + c] = square ? 1f : garment ? (float)(0.35 + 0.2 * random.NextDouble()) : 0f;
                    heatmap[r][c] = (float)((square ? 0.8 + 0.2 * random.NextDouble() : 0.02 * random.NextDouble()) / 49);
                }
            }

            var top3 = Enumerable.Range(0, 3).Select(i => new FeatureContribution((top + i) * ImageSide + left + i, [0, top + i, left + i], 1f, 0.02, 0.02)).ToList();
            var explanation = new VerdictExplanation("input", true, 1e-5, new InputExplanation("input", 1.0, top3, heatmap), null);
            records.Add(new UnusualRecord(20 + k, true, 9.5 - k, 1e-5 * (k + 1), ["input"], explanation, new RecordImage(1, ImageSide, ImageSide, pixels)));
        }

        return records;
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
