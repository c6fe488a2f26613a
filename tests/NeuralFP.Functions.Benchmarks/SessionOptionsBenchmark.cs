using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Functions.Benchmarks;

/// <summary>
/// <c>perf --sessions [--global-pool]</c>: ONNX Runtime session options measured on the fused scorer and the bare
/// model of the CNN fixture (a fingerprint built with default options on 2,000 Fashion-MNIST images): graph
/// optimisation level, memory pattern, intra-op threads, spinning, parallel execution; with <c>--global-pool</c> the process's environment is created
/// with one intra-op thread pool shared by every session (sessions opt out of their own). Variants alternate within
/// each round; medians.
/// </summary>
internal static class SessionOptionsBenchmark
{
    private sealed record Variant(string Name, Func<SessionOptions> Create);

    public static async Task RunAsync(int rounds, bool globalPool, string modelPath, TextWriter output)
    {
        if (globalPool)
        {
            if (!Core.Onnx.SharedThreadPool.TryEnable(Environment.ProcessorCount)) throw new InvalidOperationException("ONNX Runtime's environment existed before the shared pool could be made.");
        }
        var (model, fingerprint, records) = await FittedCnn.BuildAsync(modelPath);
        Variant[] variants = globalPool
            ?
            [
                new("global pool (no spinning), all optimisations, the default", () => FingerprintScorer.CreateSessionOptions()),
                new($"own pool per session, {Environment.ProcessorCount} threads, no spinning", () => Options(GraphOptimizationLevel.ORT_ENABLE_ALL, Environment.ProcessorCount, false)),
            ]
            :
            [
                new($"all, {Environment.ProcessorCount} threads, no spinning (the default without the shared pool)", () => Options(GraphOptimizationLevel.ORT_ENABLE_ALL, Environment.ProcessorCount, false)),
                new($"all, {Environment.ProcessorCount} threads, no spinning, memory pattern off", () => Options(GraphOptimizationLevel.ORT_ENABLE_ALL, Environment.ProcessorCount, false, memoryPattern: false)),
                new($"extended (no NCHWc layout), {Environment.ProcessorCount} threads, no spinning", () => Options(GraphOptimizationLevel.ORT_ENABLE_EXTENDED, Environment.ProcessorCount, false)),
                new("all, 1 thread", () => Options(GraphOptimizationLevel.ORT_ENABLE_ALL, 1, false)),
                new("all, parallel execution, inter-op 2, intra-op 1", () => Options(GraphOptimizationLevel.ORT_ENABLE_ALL, 1, false, parallel: true)),
                new($"all, parallel execution, inter-op 2, intra-op {Environment.ProcessorCount}", () => Options(GraphOptimizationLevel.ORT_ENABLE_ALL, Environment.ProcessorCount, false, parallel: true)),
                new($"all, {Environment.ProcessorCount} threads, spinning (the old default)", () => Options(GraphOptimizationLevel.ORT_ENABLE_ALL, Environment.ProcessorCount, null)),
                new($"basic, {Environment.ProcessorCount} threads, no spinning", () => Options(GraphOptimizationLevel.ORT_ENABLE_BASIC, Environment.ProcessorCount, false)),
            ];
        var runners = variants.Select(v =>
        {
            using var options = v.Create();
            return (v.Name, Bare: OrtRunner.Bare(model, options), Fused: OrtRunner.Fused(fingerprint, options));
        }).ToArray();
        var results = variants.Select(_ => Enumerable.Range(0, 6).Select(_ => new List<double>()).ToArray()).ToArray();
        // Every variant's bare and fused sessions are called in turn on the same records, so load falls on all alike.
        Action<int, int>[] contenders = [.. runners.SelectMany(v => new Action<int, int>[] { (s, c) => v.Bare.Run(records, s, c), (s, c) => v.Fused.Run(records, s, c) })];
        for (var round = 0; round <= rounds; round++)
        {
            var b256 = Timing.Interleaved(contenders, records, 256, 10);
            var b1 = Timing.Interleaved(contenders, records, 1, 400);
            if (round == 0) continue;
            for (var v = 0; v < runners.Length; v++)
            {
                double[] values = [b256[2 * v].RecordsPerSecond, b256[2 * v + 1].RecordsPerSecond, b1[2 * v].P50Ms, b1[2 * v + 1].P50Ms, b1[2 * v].RecordsPerSecond, b1[2 * v + 1].RecordsPerSecond];
                for (var i = 0; i < values.Length; i++) results[v][i].Add(values[i]);
            }
        }
        output.WriteLine();
        output.WriteLine($"ONNX Runtime session options, CNN fixture ({fingerprint.Manifest.Layers.Count} layers), medians of {rounds} rounds, load average {PerfBenchmark.LoadAverage()} at end:");
        output.WriteLine();
        output.WriteLine("| session options | bare 256 rec/s | fused 256 rec/s | fused/bare | bare 1 p50 ms | fused 1 p50 ms | fused 1 rec/s | fused/bare, batch 1 (p50) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (var v = 0; v < runners.Length; v++)
        {
            var m = results[v].Select(Timing.Median).ToArray();
            output.WriteLine($"| {runners[v].Name} | {m[0]:N0} | {m[1]:N0} | {m[1] / m[0]:F2} | {m[2]:F3} | {m[3]:F3} | {m[5]:N0} | {m[2] / m[3]:F2} |");
        }
        foreach (var (_, bare, fused) in runners)
        {
            bare.Dispose();
            fused.Dispose();
        }
    }

    /// <param name="parallel">ORT_PARALLEL: independent nodes (the autoencoder branches off the model's taps) may run at once on
    /// 2 inter-op threads of the session's own (the global pool variants with inter-op threads: the <c>execmode</c> benchmark).</param>
    private static SessionOptions Options(GraphOptimizationLevel level, int threads, bool? spinning, bool shared = false, bool memoryPattern = true, bool parallel = false)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = level, ExecutionMode = parallel ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = parallel ? 2 : 1, EnableMemoryPattern = memoryPattern,
        };
        if (shared) options.DisablePerSessionThreads();
        else options.IntraOpNumThreads = threads;
        if (spinning is bool spin)
        {
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", spin ? "1" : "0");
            if (parallel) options.AddSessionConfigEntry("session.inter_op.allow_spinning", spin ? "1" : "0");
        }
        return options;
    }
}
