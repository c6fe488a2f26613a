using System.Diagnostics;
using System.Globalization;
using NeuralFP.Core.Evaluation;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Benchmarks;

/// <summary>
/// What capping the autoencoders' training sample (<see cref="FingerprintOptions.MaxTrainingRecords"/>) costs in
/// detection: the CNN fixture fingerprinted on the 60,000 Fashion-MNIST training images without a cap (30,600 training
/// records) and with caps, the fingerprint (default options, no other detectors) evaluated on the 10,000 test images
/// (realised FPR) and the far-OOD sets (AUROC). Caps from NFP_SAMPLE_CAPS (comma-separated; 0 = no cap), seeds from
/// NFP_SAMPLE_SEEDS (comma-separated, default 42): the cap's effect is compared with the seed's.
/// </summary>
public static class TrainingSampleBenchmark
{
    public static async Task RunAsync(TextWriter output)
    {
        var caps = (Environment.GetEnvironmentVariable("NFP_SAMPLE_CAPS") ?? $"0,{FingerprintOptions.DefaultMaxTrainingRecords},2500")
            .Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var seeds = (Environment.GetEnvironmentVariable("NFP_SAMPLE_SEEDS") ?? "42")
            .Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var model = BenchmarkData.Model("fmnist_cnn.onnx");
        var reference = FashionMnist.Train().Images;
        var test = BenchmarkData.TestSet();
        var ood = BenchmarkData.FarOodSets();
        output.WriteLine($"CNN fixture, {reference.Records:N0} reference records, fingerprint with the default options (gaussian integration, target FPR 5%), no other detectors.");
        output.WriteLine();
        output.WriteLine($"| maxTrainingRecords | seed | trained on | build s | realised FPR (test) | {string.Join(" | ", ood.Select(o => $"AUROC {o.Name}"))} |");
        output.WriteLine($"|---:|---:|---:|---:|---:|{string.Concat(ood.Select(_ => "---:|"))}");
        foreach (var seed in seeds)
        foreach (var cap in caps)
        {
            var options = new FingerprintOptions { Detectors = [], Seed = seed, MaxTrainingRecords = cap == 0 ? FingerprintOptions.MaxMaxTrainingRecords : cap };
            var clock = Stopwatch.StartNew();
            var fingerprint = await FingerprintBuilder.BuildAsync(model, RecordSource.FromTensor(reference), options, new BuildLimits { MaxBuildMemoryBytes = long.MaxValue });
            var seconds = clock.Elapsed.TotalSeconds;
            using var scorer = new FingerprintScorer(fingerprint);
            var report = FingerprintEvaluator.Evaluate(scorer, test, ood);
            var aurocs = ood.Select(o => report.Rows.First(r => r.OodSet == o.Name && r.Detector == FingerprintEvaluator.FingerprintDetector).Metrics.Auroc);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {(cap == 0 ? "no cap" : cap.ToString("N0", CultureInfo.InvariantCulture))} | {seed} | {fingerprint.Manifest.Calibration.TrainRecords:N0} | {seconds:F1} | {report.RealisedFpr:P2} | {string.Join(" | ", aurocs.Select(a => a.ToString("F4", CultureInfo.InvariantCulture)))} |"));
        }
    }
}
