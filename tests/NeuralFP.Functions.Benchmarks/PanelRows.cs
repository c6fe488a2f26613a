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
        foreach (var (name, file, _) in heldOut ? [.. PanelModels(), .. HeldOutModels()] : PanelModels())
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

    private static IEnumerable<(string Name, string File, string Shape)> PanelModels() =>
    [
        ("cnn", "fmnist_cnn.onnx", ""),
        ("bn-gap-cnn", "panel/bn_gap_cnn.onnx", ""),
        ("bn-gap-cnn-folded", "panel/bn_gap_cnn_folded.onnx", ""),
        ("resnet", "panel/resnet.onnx", ""),
        ("mlp", "fmnist_mlp.onnx", ""),
        ("transformer", "panel/transformer.onnx", ""),
        ("gru", "panel/gru.onnx", ""),
        ("softmax-cnn", "panel/softmax_cnn.onnx", ""),
    ];

    private static IEnumerable<(string Name, string File, string Shape)> HeldOutModels() =>
    [
        ("mobilenet (held out)", "holdout/mobilenet.onnx", ""),
        ("mixer (held out)", "holdout/mixer.onnx", ""),
        ("bilstm (held out)", "holdout/bilstm.onnx", ""),
        ("logsoftmax-cnn (held out)", "holdout/logsoftmax_cnn.onnx", ""),
        ("resnet20 (held out)", "holdout/resnet20.onnx", ""),
    ];
}
