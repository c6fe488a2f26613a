using System.Diagnostics;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Evaluation;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Onnx;

namespace NeuralFP.Benchmarks;

/// <summary>
/// Which layers, pooling, autoencoder size and kind, and one- vs two-sided thresholds: AUROC per
/// OOD set and build time for each variant, one factor changed at a time from the defaults.
/// </summary>
internal static class AblationBenchmark
{
    public static async Task RunAsync(TextWriter output)
    {
        var modelBytes = BenchmarkData.Model("fmnist_cnn.onnx");
        var model = OnnxModel.Load(modelBytes);
        var auto = model.AutoLayers();
        var roles = model.Layers.ToDictionary(l => l.Name, l => l.Role);
        string[] Where(Func<LayerRole, bool> keep) => auto.Where(name => keep(roles[name])).ToArray();

        var defaults = new FingerprintOptions { Detectors = [] }; // the fingerprint alone: detectors are compared in the engine table
        var variants = new (string Factor, string Variant, FingerprintOptions Options)[]
        {
            ("defaults", $"auto layers, {defaults.Pooling}, MLP, {(defaults.TwoSided ? "two" : "one")}-sided", defaults),
            ("layers", "input only", defaults with { Layers = Where(r => r == LayerRole.Input) }),
            ("layers", "hidden only", defaults with { Layers = Where(r => r is LayerRole.Hidden or LayerRole.Penultimate) }),
            ("layers", "logits only", defaults with { Layers = Where(r => r == LayerRole.Logits) }),
            ("layers", "hidden + logits", defaults with { Layers = Where(r => r != LayerRole.Input) }),
            ("pooling", "global", defaults with { Pooling = "global" }),
            ("pooling", "4x4", defaults with { Pooling = "4x4" }),
            ("pooling", "none", defaults with { Pooling = "none" }),
            ("autoencoder size", "small (hidden 32, bottleneck 10%)", defaults with { Autoencoder = defaults.Autoencoder with { HiddenSize = 32, BottleneckRatio = 0.1 } }),
            ("autoencoder size", "large (hidden 256, bottleneck 50%)", defaults with { Autoencoder = defaults.Autoencoder with { HiddenSize = 256, BottleneckRatio = 0.5 } }),
            ("autoencoder kind", "PCA", defaults with { Autoencoder = defaults.Autoencoder with { Kind = AutoencoderKind.Pca } }),
            ("thresholds", "two-sided (NeuralFP's rule)", defaults with { TwoSided = true }),
            ("paper-like", "global pooling + two-sided", defaults with { Pooling = "global", TwoSided = true }),
        };
        if (Environment.GetEnvironmentVariable("NFP_ABLATION_ONLY") is { Length: > 0 } only)
            variants = variants.Where(v => v.Factor == only).ToArray();

        var reference = BenchmarkData.Reference();
        var test = BenchmarkData.TestSet();
        var oodSets = BenchmarkData.FarOodSets();
        output.WriteLine($"| factor | variant | {string.Join(" | ", oodSets.Select(s => s.Name))} | test FPR | build s |");
        output.WriteLine($"|---|---|{string.Concat(oodSets.Select(_ => "---:|"))}---:|---:|");
        foreach (var (factor, variant, options) in variants)
        {
            var clock = Stopwatch.StartNew();
            var fingerprint = await FingerprintBuilder.BuildAsync(modelBytes, reference, options);
            var seconds = clock.Elapsed.TotalSeconds;
            using var scorer = new FingerprintScorer(fingerprint);
            var report = FingerprintEvaluator.Evaluate(scorer, test, oodSets);
            var aurocs = report.Rows.Where(r => r.Detector == FingerprintEvaluator.FingerprintDetector).Select(r => r.Metrics.Auroc.ToString("F4"));
            output.WriteLine($"| {factor} | {variant} | {string.Join(" | ", aurocs)} | {report.RealisedFpr:P2} | {seconds:F1} |");
        }
        output.WriteLine();
    }
}
