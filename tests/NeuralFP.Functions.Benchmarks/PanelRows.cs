using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Functions.Benchmarks;

/// <summary>
/// <c>perf --panel</c>: the fused scorer beside the bare model on every image model of the panel (default fingerprint
/// options, 2,000 Fashion-MNIST reference images unseen by the panel models), batch 256 and batch 1; with <c>--holdout</c>
/// the held-out architectures too (tools/build_holdout.py).
/// </summary>
internal static class PanelRows
{
    private const int ReferenceRecords = 2000;

    public static async Task RunAsync(int rounds, TextWriter output, bool heldOut = false)
    {
        var train = FashionMnist.Train();
        var reference = train.Select(Enumerable.Range(train.Count - ReferenceRecords, ReferenceRecords)).Images;
        var records = FashionMnist.Test().Take(2048).Images;
        output.WriteLine();
        output.WriteLine($"Panel, fused scorer vs bare ONNX Runtime ({ReferenceRecords:N0} reference records, default options; load average {PerfBenchmark.LoadAverage()} at start):");
        output.WriteLine();
        output.WriteLine("| model | layers | build ms/record | bare 256 rec/s | fused 256 rec/s | ratio (bar 0.85) | bare 1 rec/s | fused 1 rec/s | ratio (bar 0.6) | Score 256 / bare |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, file, _) in heldOut ? [.. ModelPanel.Images, .. ModelPanel.HeldOutImages.Select(m => (m.Name + " (held out)", m.File, m.Shape))] : ModelPanel.Images)
        {
            var model = await File.ReadAllBytesAsync(RepoPaths.Model(file));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var fingerprint = await FingerprintBuilder.BuildAsync(model, reference, new FingerprintOptions(), new BuildLimits());
            var buildMs = clock.Elapsed.TotalMilliseconds / ReferenceRecords;
            var m = PerfBenchmark.InProcess.Measure(model, fingerprint, records, rounds);
            output.WriteLine($"| {name} | {fingerprint.Manifest.Layers.Count} | {buildMs:F2} | {m.Bare.Rate256:N0} | {m.Fused.Rate256:N0} | {Mark(m.Fused.Rate256 / m.Bare.Rate256, 0.85)} | {m.Bare.Rate1:N0} | {m.Fused.Rate1:N0} | {Mark(m.Fused.Rate1 / m.Bare.Rate1, 0.6)} | {m.Score.Rate256 / m.Bare.Rate256:F2} |");
        }
    }

    private static string Mark(double ratio, double bar) => ratio >= bar ? $"**{ratio:F2}**" : $"{ratio:F2} ✗";
}
