using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

using static NeuralFP.Benchmarks.RunStatistics;

namespace NeuralFP.Benchmarks;

/// <summary>
/// <c>execmode</c>: ONNX Runtime's execution mode and thread counts for the fused scorer graph, every variant measured on
/// the bare model too, so the fused graph is compared with the bare model's best setting (fairness), at batches 1, 8, 64
/// and 256 on the panel's image models. Sequential execution runs the nodes one after another (today's setting); parallel
/// execution lets ONNX Runtime run independent nodes (the autoencoder branches hanging off the model's taps) at the same
/// time on an inter-op pool. Every variant's bare and fused sessions are called in turn (A B C … A B C …) on the same
/// records; medians of the rounds after a warm-up; wall time per call and the process's CPU time per call (every thread,
/// so a pool's work counts). NFP_EXEC_GLOBAL=1 creates the process's environment with a global pool of 2 intra-op and 2
/// inter-op threads first and adds the variants that use it (the service's setting); NFP_GRAPH_MODELS, NFP_GRAPH_ROUNDS
/// as for <c>scorergraph</c>; NFP_EXEC_BATCHES=1,256 picks batches.
/// </summary>
internal static partial class ExecutionModeBenchmark
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private readonly record struct TimeSpec(long Seconds, long Nanoseconds);

    private static double ProcessCpuMs()
    {
        _ = ClockGetTime(2, out var t); // CLOCK_PROCESS_CPUTIME_ID: every thread of the process
        return t.Seconds * 1e3 + t.Nanoseconds / 1e6;
    }

    private sealed record Variant(string Name, Func<SessionOptions> Create);

    public static Task RunAsync(TextWriter output)
    {
        var global = Environment.GetEnvironmentVariable("NFP_EXEC_GLOBAL") == "1";
        if (global && !OrtEnv.IsCreated)
        {
            var threading = new OrtThreadingOptions { GlobalIntraOpNumThreads = Environment.ProcessorCount, GlobalInterOpNumThreads = 2, GlobalSpinControl = false };
            var environment = new EnvironmentCreationOptions { threadOptions = threading };
            OrtEnv.CreateInstanceWithOptions(ref environment);
        }
        var only = Environment.GetEnvironmentVariable("NFP_GRAPH_MODELS")?.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("NFP_GRAPH_ROUNDS"), out var r) ? r : 3;
        int[] batches = Environment.GetEnvironmentVariable("NFP_EXEC_BATCHES") is { } b ? [.. b.Split(',').Select(int.Parse)] : [1, 8, 64, 256];
        var cores = Environment.ProcessorCount;
        List<Variant> variants =
        [
            new($"sequential, intra {cores}", () => Options(ExecutionMode.ORT_SEQUENTIAL, cores, 1)),
            new("sequential, intra 1", () => Options(ExecutionMode.ORT_SEQUENTIAL, 1, 1)),
            new("parallel, inter 2, intra 1", () => Options(ExecutionMode.ORT_PARALLEL, 1, 2)),
            new($"parallel, inter 2, intra {cores}", () => Options(ExecutionMode.ORT_PARALLEL, cores, 2)),
        ];
        if (global)
        {
            variants.Insert(0, new("global pool, sequential", () => Options(ExecutionMode.ORT_SEQUENTIAL, 0, 1, shared: true)));
            variants.Insert(1, new("global pool, parallel (global inter 2)", () => Options(ExecutionMode.ORT_PARALLEL, 0, 2, shared: true)));
        }
        var reference = FashionMnist.Train().Take(1000).Images;
        var records = FashionMnist.Test().Take(2048).Images;
        output.WriteLine($"Execution modes: wall p50 ms per call / process CPU ms per call; fused/bare = bare's best p50 over this variant's fused p50; load average {LoadAverage()} at start.");
        foreach (var (name, file, _) in PanelModels.ImageModels)
        {
            if (only is not null && !only.Contains(name)) continue;
            var bytes = File.ReadAllBytes(RepoPaths.Model(file));
            var model = OnnxModel.Load(bytes);
            var layers = ScorerGraphBenchmark.FusedLayers(model, reference);
            var fused = ScorerGraphBuilder.Build(model, layers);
            string[] outputs = [model.OutputNames[0], .. layers.Select(l => l.ErrorOutputName)];
            var runners = variants.SelectMany(v =>
            {
                using var options = v.Create();
                return new[] { new SessionRunner(bytes, model.InputName, model.OutputNames, options), new SessionRunner(fused, model.InputName, outputs, options) };
            }).ToArray();
            try
            {
                // [batch][runner] → per-round medians of wall and CPU.
                var wall = batches.Select(_ => runners.Select(_ => new List<double>()).ToArray()).ToArray();
                var cpu = batches.Select(_ => runners.Select(_ => new List<double>()).ToArray()).ToArray();
                for (var round = 0; round <= rounds; round++)
                {
                    for (var bi = 0; bi < batches.Length; bi++)
                    {
                        var batch = batches[bi];
                        var calls = Math.Clamp(40_000 / (batch * variants.Count), 12, 400);
                        var (w, c) = Interleaved(runners, records, batch, calls);
                        if (round == 0) continue;
                        for (var k = 0; k < runners.Length; k++) { wall[bi][k].Add(Median(w[k])); cpu[bi][k].Add(c[k]); }
                    }
                }
                output.WriteLine();
                output.WriteLine($"{name} ({layers.Count} layers), medians of {rounds} rounds, load average {LoadAverage()} at end:");
                output.WriteLine();
                output.WriteLine("| variant | " + string.Join(" | ", batches.Select(x => $"bare {x} ms / CPU | fused {x} ms / CPU | fused/best bare {x}")) + " |");
                output.WriteLine("|---|" + string.Concat(batches.Select(_ => "---:|---:|---:|")));
                var bestBare = batches.Select((_, bi) => Enumerable.Range(0, variants.Count).Min(v => Median(wall[bi][2 * v]))).ToArray();
                for (var v = 0; v < variants.Count; v++)
                {
                    var cells = batches.Select((_, bi) =>
                    {
                        double bw = Median(wall[bi][2 * v]), bc = Median(cpu[bi][2 * v]), fw = Median(wall[bi][2 * v + 1]), fc = Median(cpu[bi][2 * v + 1]);
                        return $"{bw:F3} / {bc:F3} | {fw:F3} / {fc:F3} | {bestBare[bi] / fw:F2}";
                    });
                    output.WriteLine($"| {variants[v].Name} | {string.Join(" | ", cells)} |");
                }
            }
            finally
            {
                foreach (var runner in runners) runner.Dispose();
            }
        }
        return Task.CompletedTask;
    }

    internal static SessionOptions Options(ExecutionMode mode, int intra, int inter, bool shared = false)
    {
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, ExecutionMode = mode };
        if (shared) options.DisablePerSessionThreads();
        else
        {
            options.IntraOpNumThreads = intra;
            options.InterOpNumThreads = inter;
        }
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        return options;
    }

    /// <summary>Per runner: wall milliseconds of every call, and the process's mean CPU milliseconds per call.</summary>
    private static (List<double>[] Wall, double[] Cpu) Interleaved(SessionRunner[] runners, FloatTensor records, int batch, int calls)
    {
        var wall = runners.Select(_ => new List<double>(calls)).ToArray();
        var cpu = new double[runners.Length];
        for (var i = 0; i < calls; i++)
        {
            var start = i * batch % (records.Records - batch + 1);
            for (var k = 0; k < runners.Length; k++)
            {
                var cpuBefore = ProcessCpuMs();
                var began = Stopwatch.GetTimestamp();
                runners[k].Run(records, start, batch);
                wall[k].Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
                cpu[k] += ProcessCpuMs() - cpuBefore;
            }
        }
        for (var k = 0; k < runners.Length; k++) cpu[k] /= calls;
        return (wall, cpu);
    }
}
