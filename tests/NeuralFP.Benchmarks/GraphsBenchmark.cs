using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Benchmarks;

/// <summary>
/// <c>graphs</c>: ONNX files named in NFP_GRAPHS (a comma list, e.g. the bare model and two builds' scorer.onnx) timed
/// against each other on Fashion-MNIST test records, alternating call by call, at batch 256 and batch 1, on the scorer's
/// session options (one intra-op thread, timed in the calling thread's CPU time, with NFP_GRAPH_CPU=1); each file reads
/// its graph's first input and writes every graph output. NFP_GRAPHS_PROFILE=1 adds
/// ONNX Runtime's per-node kernel times at batch 256 and 1 (its profiler's own overhead inflates small nodes;
/// NFP_GRAPH_CPU=1 profiles on one intra-op thread).
/// </summary>
internal static class GraphsBenchmark
{
    public static Task RunAsync(TextWriter output)
    {
        var files = (Environment.GetEnvironmentVariable("NFP_GRAPHS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (files.Length == 0)
        {
            output.WriteLine("Set NFP_GRAPHS to a comma list of ONNX files (the first is the ratios' reference).");
            return Task.CompletedTask;
        }
        var records = BenchmarkData.TestSet().Records;
        var graphs = files.Select(f => (Bytes: File.ReadAllBytes(f), Proto: ModelProto.Parser.ParseFrom(File.ReadAllBytes(f)))).ToArray();
        string[] Outputs(ModelProto proto) => [.. proto.Graph.Output.Select(o => o.Name)];
        var runners = graphs.Select(g => new SessionRunner(g.Bytes, g.Proto.Graph.Input[0].Name, Outputs(g.Proto), singleThread: ScorerGraphBenchmark.CpuTime)).ToArray();
        try
        {
            output.WriteLine("| batch | " + string.Join(" | ", files.Select(Path.GetFileName)) + " |");
            output.WriteLine("|---:|" + string.Concat(files.Select(_ => "---:|")));
            foreach (var (batch, calls) in new[] { (256, 300), (1, 3000) })
            {
                ScorerGraphBenchmark.Interleaved(runners, records, batch, calls / 10);
                var medians = ScorerGraphBenchmark.Interleaved(runners, records, batch, calls).Select(RunStatistics.Median).ToArray();
                output.WriteLine($"| {batch} | " + string.Join(" | ", medians.Select(m => $"{m * 1000:F1} µs ({medians[0] / m:F2}×)")) + " |");
            }
        }
        finally
        {
            foreach (var r in runners) r.Dispose();
        }
        if (Environment.GetEnvironmentVariable("NFP_GRAPHS_SPLIT") == "1") CompareSplit(output, graphs.Select(g => (g.Bytes, g.Proto.Graph.Input[0].Name, Outputs(g.Proto))).ToArray(), files, records);
        if (Environment.GetEnvironmentVariable("NFP_GRAPHS_PROFILE") == "1")
            foreach (var batch in new[] { 256, 1 })
                for (var i = 0; i < files.Length; i++)
                    output.WriteLine($"profile {files[i]}, batch {batch}: {ScorerGraphBenchmark.Profile(graphs[i].Bytes, graphs[i].Proto.Graph.Input[0].Name, Outputs(graphs[i].Proto), records, batch, byNode: true)}");
        return Task.CompletedTask;
    }

    /// <summary>
    /// A batch of 256 on the pooled session (one run, the intra-op pool splits every node) against the same batch as
    /// one run per core on a single-threaded session (no hand-off per node), for each graph, alternating.
    /// </summary>
    private static void CompareSplit(TextWriter output, (byte[] Bytes, string Input, string[] Outputs)[] graphs, string[] files, NeuralFP.Core.Tensors.FloatTensor records)
    {
        const int batch = 256, calls = 200;
        var parts = Environment.ProcessorCount;
        var pooled = graphs.Select(g => new SessionRunner(g.Bytes, g.Input, g.Outputs)).ToArray();
        var single = graphs.Select(g => new SessionRunner(g.Bytes, g.Input, g.Outputs, singleThread: true)).ToArray();
        var times = graphs.Select(_ => (Pooled: new List<double>(), Split: new List<double>())).ToArray();
        for (var i = -calls / 10; i < calls; i++)
        {
            var start = (i + calls) * batch % (records.Records - batch + 1);
            for (var g = 0; g < graphs.Length; g++)
            {
                var began = System.Diagnostics.Stopwatch.GetTimestamp();
                pooled[g].Run(records, start, batch);
                var pooledMs = System.Diagnostics.Stopwatch.GetElapsedTime(began).TotalMilliseconds;
                began = System.Diagnostics.Stopwatch.GetTimestamp();
                var runner = single[g];
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p => runner.Run(records, start + p * batch / parts, batch / parts));
                var splitMs = System.Diagnostics.Stopwatch.GetElapsedTime(began).TotalMilliseconds;
                if (i >= 0) { times[g].Pooled.Add(pooledMs); times[g].Split.Add(splitMs); }
            }
        }
        foreach (var r in pooled.Concat(single)) r.Dispose();
        output.WriteLine($"batch {batch}, pooled session vs {parts} runs of {batch / parts} on a single-threaded session in parallel (p50):");
        for (var g = 0; g < graphs.Length; g++)
            output.WriteLine($"  {Path.GetFileName(files[g])}: {RunStatistics.Median(times[g].Pooled) * 1000:F0} µs vs {RunStatistics.Median(times[g].Split) * 1000:F0} µs ({RunStatistics.Median(times[g].Pooled) / RunStatistics.Median(times[g].Split):F2}×)");
    }
}
