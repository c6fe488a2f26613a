using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Functions.Benchmarks;

/// <summary>
/// <c>perf --small-batches</c>: batches of 1..8 records on the CNN fixture, the service's configuration (the process's
/// shared intra-op pool, as the Functions host enables it) against one intra-op thread run inline on the caller, for the
/// fused scorer and the bare model. Per call: wall time and the process's CPU time (CLOCK_PROCESS_CPUTIME_ID, every
/// thread, so pool work counts); contenders alternate call by call; medians over rounds of per-call medians.
/// </summary>
internal static partial class SmallBatchBenchmark
{
    public static async Task RunAsync(int rounds, string modelPath, TextWriter output)
    {
        if (!Core.Onnx.SharedThreadPool.TryEnable(Environment.ProcessorCount)) throw new InvalidOperationException("ONNX Runtime's environment existed before the shared pool could be made.");
        var (model, fingerprint, records) = await FittedCnn.BuildAsync(modelPath);
        using var pooled = FingerprintScorer.CreateSessionOptions();
        using var inline = FingerprintScorer.CreateSingleThreadSessionOptions();
        using var fusedPooled = OrtRunner.Fused(fingerprint, pooled);
        using var fusedInline = OrtRunner.Fused(fingerprint, inline);
        using var barePooled = OrtRunner.Bare(model, pooled);
        using var bareInline = OrtRunner.Bare(model, inline);
        // The scorer as the service makes it, with the inline session off and on (its largest batch set to 32 here, to find the crossover).
        using var scorerOff = new FingerprintScorer(fingerprint, inlineSmallBatches: InlineSmallBatches.Off);
        using var scorerOn = new FingerprintScorer(fingerprint, inlineSmallBatches: new InlineSmallBatches { MaxRecords = 32 });
        var ood = new bool[32];
        var scores = new double[32];
        var probabilities = new float[32];
        Action<int, int> Scorer(FingerprintScorer scorer) => (start, count) =>
            scorer.ScoreInto(records.Slice(start, count), ood.AsSpan(0, count), scores.AsSpan(0, count), probabilities.AsSpan(0, count));
        (string Name, Action<int, int> Run)[] contenders =
        [
            ("fused, shared pool (service before)", (s, c) => fusedPooled.Run(records, s, c)),
            ("fused, 1 thread inline", (s, c) => fusedInline.Run(records, s, c)),
            ("bare, shared pool", (s, c) => barePooled.Run(records, s, c)),
            ("bare, 1 thread inline", (s, c) => bareInline.Run(records, s, c)),
            ("`ScoreInto`, inline off", Scorer(scorerOff)),
            ("`ScoreInto`, inline on", Scorer(scorerOn)),
        ];
        int[] batches = [1, 2, 4, 8, 16, 32];
        var wall = new List<double>[batches.Length, contenders.Length];
        var cpu = new List<double>[batches.Length, contenders.Length];
        for (var b = 0; b < batches.Length; b++)
            for (var c = 0; c < contenders.Length; c++) (wall[b, c], cpu[b, c]) = ([], []);
        const int calls = 400;
        for (var round = 0; round <= rounds; round++)
        {
            for (var b = 0; b < batches.Length; b++)
            {
                var batch = batches[b];
                var w = new double[contenders.Length, calls];
                var u = new double[contenders.Length, calls];
                for (var i = 0; i < calls; i++)
                {
                    var start = i * batch % (records.Records - batch + 1);
                    for (var c = 0; c < contenders.Length; c++)
                    {
                        var cpuBefore = ProcessCpuNanoseconds();
                        var began = Stopwatch.GetTimestamp();
                        contenders[c].Run(start, batch);
                        w[c, i] = Stopwatch.GetElapsedTime(began).TotalMilliseconds;
                        u[c, i] = (ProcessCpuNanoseconds() - cpuBefore) / 1e6;
                    }
                }
                if (round == 0) continue;
                for (var c = 0; c < contenders.Length; c++)
                {
                    wall[b, c].Add(Timing.Median(Enumerable.Range(0, calls).Select(i => w[c, i])));
                    cpu[b, c].Add(Timing.Median(Enumerable.Range(0, calls).Select(i => u[c, i])));
                }
            }
        }
        output.WriteLine();
        output.WriteLine($"Small batches, CNN fixture ({fingerprint.Manifest.Layers.Count} layers; scorer {fingerprint.ScorerOnnx.Length / 1024.0:N0} KiB, model {model.Length / 1024.0:N0} KiB), {calls} calls per cell, medians of {rounds} rounds, load average {PerfBenchmark.LoadAverage()} at end:");
        output.WriteLine();
        output.WriteLine("| batch | " + string.Join(" | ", contenders.Select(c => $"{c.Name}: p50 ms / CPU ms")) + " | fused/bare p50, pool | fused/bare p50, inline | fused inline vs pool (p50) |");
        output.WriteLine("|---:|" + string.Concat(contenders.Select(_ => "---:|")) + "---:|---:|---:|");
        for (var b = 0; b < batches.Length; b++)
        {
            var p = Enumerable.Range(0, contenders.Length).Select(c => Timing.Median(wall[b, c])).ToArray();
            var t = Enumerable.Range(0, contenders.Length).Select(c => Timing.Median(cpu[b, c])).ToArray();
            output.WriteLine($"| {batches[b]} | " + string.Join(" | ", p.Select((x, c) => $"{x:F3} / {t[c]:F3}")) + $" | {p[2] / p[0]:F2} | {p[3] / p[1]:F2} | {p[0] / p[1]:F2}× faster |");
        }
        output.WriteLine();
        output.WriteLine($"Memory of the second session: the scorer graph's weights once more, ≈ {fingerprint.ScorerOnnx.Length / 1024.0:N0} KiB (made only for scorers ≤ {InlineSmallBatches.Default.MaxScorerBytes >> 20} MiB).");
    }

    private static double ProcessCpuNanoseconds()
    {
        if (ClockGetTime(ProcessCpuClock, out var time) != 0) throw new InvalidOperationException("clock_gettime failed");
        return time.Seconds * 1e9 + time.Nanoseconds;
    }

    private const int ProcessCpuClock = 2; // CLOCK_PROCESS_CPUTIME_ID

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);
}
