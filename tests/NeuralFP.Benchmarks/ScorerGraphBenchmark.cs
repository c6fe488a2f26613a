using Google.Protobuf;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;
using NeuralFP.TestData;

using static NeuralFP.Benchmarks.RunStatistics;

namespace NeuralFP.Benchmarks;

/// <summary>
/// <c>scorergraph</c>: main's scorer graph (A, <see cref="MainScorerGraph"/>) against the current builder's (B) on the
/// panel's image models, beside the bare model, the three called in turn within every round (A B bare A B bare …),
/// batch 256 and batch 1, medians of the rounds after a warm-up. Both graphs are built from the same fused layers:
/// the default layers and pooling, autoencoders of the default shape (trained briefly: speed does not depend on the
/// weights) and the default latent distance. Prints node counts before and after ONNX Runtime's optimisation.
/// NFP_GRAPH_MODELS=cnn,mlp picks models; NFP_GRAPH_ROUNDS (default 3); NFP_GRAPH_HIDDEN sets the autoencoders' hidden width;
/// NFP_GRAPH_SEQUENCE_POOLING the pooling of sequence layers (e.g. time4). NFP_GRAPH_CPU=1 runs every session on one
/// intra-op thread (the calling thread) and times the calling thread's CPU time instead of the wall clock: on a
/// machine shared with other jobs, CPU time compares graph forms far more steadily than wall time does.
/// </summary>
internal static partial class ScorerGraphBenchmark
{
    internal static readonly bool CpuTime = Environment.GetEnvironmentVariable("NFP_GRAPH_CPU") == "1";

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private readonly record struct TimeSpec(long Seconds, long Nanoseconds);

    /// <summary>Milliseconds: the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID) or the wall clock.</summary>
    private static double Now()
    {
        if (!CpuTime) return Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;
        _ = ClockGetTime(3, out var t);
        return t.Seconds * 1e3 + t.Nanoseconds / 1e6;
    }

    public static Task RunAsync(TextWriter output)
    {
        var only = Environment.GetEnvironmentVariable("NFP_GRAPH_MODELS")?.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("NFP_GRAPH_ROUNDS"), out var r) ? r : 3;
        var reference = FashionMnist.Train().Take(1000).Images;
        var records = FashionMnist.Test().Take(2048).Images;
        using (var shown = ScorerSession.CreateSessionOptions())
            output.WriteLine($"Session options: {shown.GraphOptimizationLevel}, intra-op threads {(CpuTime ? 1 : shown.IntraOpNumThreads)} (shared pool {SharedThreadPool.IsEnabled}), no spinning; " +
                $"{(CpuTime ? "the calling thread's CPU time" : "wall clock")}; load average {LoadAverage()} at start.");
        output.WriteLine();
        output.WriteLine("| model | layers | nodes added A → B (after ORT optimisation) | bare 256 rec/s | A 256 / bare | B 256 / bare | bare 1 p50 ms | A 1 p50 ms | B 1 p50 ms | A 1 / bare | B 1 / bare | load |");
        output.WriteLine("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, file, _) in PanelModels.ImageModels)
        {
            if (only is not null && !only.Contains(name)) continue;
            var bytes = File.ReadAllBytes(RepoPaths.Model(file));
            var model = OnnxModel.Load(bytes);
            var layers = FusedLayers(model, reference);
            var a = MainScorerGraph.Build(model, layers);
            var b = ScorerGraphBuilder.Build(model, layers);
            var original = model.Proto.Graph.Node.Count;
            var (optimisedBare, optimisedA, optimisedB) = (OptimisedNodes(bytes), OptimisedNodes(a), OptimisedNodes(b));
            var nodes = $"{Nodes(a) - original} → {Nodes(b) - original} ({optimisedA - optimisedBare} → {optimisedB - optimisedBare})";

            var outputs = Outputs(model, layers);
            if (Environment.GetEnvironmentVariable("NFP_GRAPH_PROFILE") == "1")
            {
                foreach (var (label, graph) in new[] { ("A", a), ("B", b) })
                    foreach (var batch in new[] { 256, 1 })
                        output.WriteLine($"profile {name} {label} batch {batch}: {Profile(graph, model.InputName, outputs, records, batch)}");
            }
            if (Environment.GetEnvironmentVariable("NFP_GRAPH_LAYERS") == "1")
            {
                PrintLayerCosts(output, name, model, bytes, layers, records, rounds);
                continue;
            }
            if (Environment.GetEnvironmentVariable("NFP_GRAPH_POOLING") == "1")
            {
                ComparePooling(output, bytes, model, layers, b, outputs, records, rounds);
                continue;
            }
            using var bare = new SessionRunner(bytes, model.InputName, model.OutputNames, singleThread: CpuTime);
            using var mainRunner = new SessionRunner(a, model.InputName, outputs, singleThread: CpuTime);
            using var compactRunner = new SessionRunner(b, model.InputName, outputs, singleThread: CpuTime);
            SessionRunner[] contenders = [mainRunner, compactRunner, bare];
            var rate256 = contenders.Select(_ => new List<double>()).ToArray();
            var p50 = contenders.Select(_ => new List<double>()).ToArray();
            for (var round = 0; round <= rounds; round++)
            {
                var big = Interleaved(contenders, records, 256, 24);
                var single = Interleaved(contenders, records, 1, 600);
                if (round == 0) continue;
                for (var c = 0; c < contenders.Length; c++)
                {
                    rate256[c].Add(256 / Median(big[c]) * 1000);
                    p50[c].Add(Median(single[c]));
                }
            }
            var (a256, b256, bare256) = (Median(rate256[0]), Median(rate256[1]), Median(rate256[2]));
            var (a1, b1, bare1) = (Median(p50[0]), Median(p50[1]), Median(p50[2]));
            output.WriteLine($"| {name} | {layers.Count} | {nodes} | {bare256:N0} | {a256 / bare256:F2} | **{b256 / bare256:F2}** | {bare1:F3} | {a1:F3} | {b1:F3} | {bare1 / a1:F2} | **{bare1 / b1:F2}** | {LoadAverage()} |");
        }
        return Task.CompletedTask;
    }

    /// <summary>The fused layers a default build makes (layers, pooling, autoencoder shape, latent distance), trained briefly.</summary>
    internal static IReadOnlyList<FusedLayer> FusedLayers(OnnxModel model, FloatTensor reference)
    {
        var options = new FingerprintOptions();
        if (int.TryParse(Environment.GetEnvironmentVariable("NFP_GRAPH_HIDDEN"), out var hidden))
            options = options with { Autoencoder = options.Autoencoder with { HiddenSize = hidden } };
        if (Environment.GetEnvironmentVariable("NFP_GRAPH_SEQUENCE_POOLING") is { Length: > 0 } sequencePooling)
            options = options with { SequencePooling = sequencePooling };
        var specs = model.AutoLayers().Select(n => new LayerSpec(n, FingerprintBuilder.PoolingFor(model, n, options))).ToArray();
        using var extractor = new ActivationExtractor(model, specs);
        var activations = extractor.Extract(reference, batchSize: 256);
        var split = reference.Records * 4 / 5;
        return [.. specs.Select((spec, l) =>
        {
            var standardizer = Standardizer.Fit(activations.Features[l], options.ScaleFloor);
            var z = standardizer.Transform(activations.Features[l]);
            // The MLP the panel's builds train (they train on 2,550 records or more; `auto` would fit PCA to this helper's 800).
            var autoencoder = AutoencoderTrainer.Fit(z.Slice(0, split), z.Slice(split, z.Records - split), options.Autoencoder with { Kind = AutoencoderKind.Mlp, MaxEpochs = 2, Seed = l });
            var latent = LatentDistance.Fit(LatentDistance.Encode(autoencoder.Layers, z));
            return new FusedLayer(spec.Name, extractor.TapShapes[l], spec.Pooling, standardizer.Mean, standardizer.Scale, autoencoder.Layers, $"nfp_error_{l}")
                { Latent = latent, LatentOutputName = $"nfp_latent_{l}" };
        })];
    }

    /// <summary>
    /// The scorer graph B with every equal-bin AveragePool of a conv map replaced by the same means through other ops:
    /// Reshape + ReduceMean, Flatten + MatMul by an averaging matrix + Reshape, or two AveragePools (smaller bins first).
    /// </summary>
    private static void ComparePooling(TextWriter output, byte[] bare, OnnxModel model, IReadOnlyList<FusedLayer> layers, byte[] graph, string[] outputs, FloatTensor records, int rounds)
    {
        string[] forms = ["AveragePool", "Reshape+ReduceMean", "Flatten+MatMul", "AveragePool twice"];
        var runners = forms.Select(f => new SessionRunner(WithPooling(graph, layers, f), model.InputName, outputs, singleThread: CpuTime)).Append(new SessionRunner(bare, model.InputName, model.OutputNames, singleThread: CpuTime)).ToArray();
        try
        {
            var big = runners.Select(_ => new List<double>()).ToArray();
            var single = runners.Select(_ => new List<double>()).ToArray();
            for (var round = 0; round <= rounds; round++)
            {
                var b256 = Interleaved(runners, records, 256, 24);
                var b1 = Interleaved(runners, records, 1, 600);
                if (round == 0) continue;
                for (var c = 0; c < runners.Length; c++) { big[c].Add(Median(b256[c])); single[c].Add(Median(b1[c])); }
            }
            output.WriteLine($"Pooling of the conv maps, same scorer graph otherwise ({(CpuTime ? "thread CPU" : "wall")} ms per call, medians; load {LoadAverage()}):");
            output.WriteLine("| pooling form | batch 256 ms | batch 1 ms |");
            output.WriteLine("|---|---:|---:|");
            for (var c = 0; c < runners.Length; c++)
                output.WriteLine($"| {(c < forms.Length ? forms[c] : "bare model")} | {Median(big[c]):F3} | {Median(single[c]):F4} |");
        }
        finally
        {
            foreach (var r in runners) r.Dispose();
        }
    }

    private static byte[] WithPooling(byte[] graph, IReadOnlyList<FusedLayer> layers, string form)
    {
        if (form == "AveragePool") return graph;
        var proto = ModelProto.Parser.ParseFrom(graph);
        var editor = new GraphEditor(proto);
        var nodes = proto.Graph.Node.ToList();
        proto.Graph.Node.Clear();
        foreach (var node in nodes)
        {
            var layer = node.OpType == "AveragePool" && node.Name.StartsWith(GraphEditor.Prefix, StringComparison.Ordinal) ? layers.FirstOrDefault(l => l.TensorName == node.Input[0]) : null;
            if (layer is null || (form == "AveragePool twice" && (layer.TapShape[1] / layer.Pooling.Grid % 2 != 0 || layer.TapShape[2] / layer.Pooling.Grid % 2 != 0)))
            {
                proto.Graph.Node.Add(node);
                continue;
            }
            int c = layer.TapShape[0], h = layer.TapShape[1], w = layer.TapShape[2], g = layer.Pooling.Grid;
            var x = node.Input[0];
            switch (form)
            {
                case "Reshape+ReduceMean":
                    var blocks = editor.Reshape("blocks", x, [-1, c, g, h / g, g, w / g]);
                    editor.NodeTo(node.Output[0], "ReduceMean", [blocks], ProtoFactory.IntsAttribute("axes", [3, 5]), ProtoFactory.IntAttribute("keepdims", 0));
                    break;
                case "Flatten+MatMul":
                    var rows = editor.Node("rows", "Flatten", [x], ProtoFactory.IntAttribute("axis", 2));
                    var means = editor.Node("means", "MatMul", [rows, editor.FloatConstant("averager", AdaptiveBins.AveragingMatrix([h, w], g), h * w, g * g)]);
                    editor.Reshape("map", means, [-1, c, g, g], exactOutput: node.Output[0]);
                    break;
                case "AveragePool twice":
                    long[] inner = [h / g / 2, w / g / 2];
                    var first = editor.Node("quarter", "AveragePool", [x], ProtoFactory.IntsAttribute("kernel_shape", inner), ProtoFactory.IntsAttribute("strides", inner));
                    editor.NodeTo(node.Output[0], "AveragePool", [first], ProtoFactory.IntsAttribute("kernel_shape", [2, 2]), ProtoFactory.IntsAttribute("strides", [2, 2]));
                    break;
            }
        }
        return proto.ToByteArray();
    }

    /// <summary>
    /// NFP_GRAPH_LAYERS=1: what each fingerprinted layer adds to the fused graph at batch 256: the whole graph against the same
    /// graph built without that layer (its pooling, standardising, autoencoder, error and latent distance) and the bare model,
    /// all called in turn within every round (medians of the rounds after a warm-up). The cost half of the performance
    /// issue's "per-layer cost beside per-layer value"; the value half is the panel's NFP_PANEL_LAYER_ABLATION=1.
    /// </summary>
    private static void PrintLayerCosts(TextWriter output, string name, OnnxModel model, byte[] bare, IReadOnlyList<FusedLayer> layers, FloatTensor records, int rounds)
    {
        const int batch = 256;
        SessionRunner Runner(IReadOnlyList<FusedLayer> fused) => new(ScorerGraphBuilder.Build(model, fused), model.InputName, Outputs(model, fused), singleThread: CpuTime);
        SessionRunner[] runners = [Runner(layers), .. Enumerable.Range(0, layers.Count).Select(i => Runner([.. layers.Where((_, k) => k != i)])),
            new SessionRunner(bare, model.InputName, model.OutputNames, singleThread: CpuTime)];
        try
        {
            var perRecord = runners.Select(_ => new List<double>()).ToArray();
            for (var round = 0; round <= rounds; round++)
            {
                var times = Interleaved(runners, records, batch, 24);
                if (round == 0) continue;
                for (var c = 0; c < runners.Length; c++) perRecord[c].Add(Median(times[c]) * 1000 / batch);
            }
            var cost = perRecord.Select(Median).ToArray();
            var (all, bareCost) = (cost[0], cost[^1]);
            output.WriteLine($"Per-layer cost, {name} (batch {batch}, {(CpuTime ? "the calling thread's CPU time, one intra-op thread" : "wall clock")}, medians of {rounds} rounds, load {LoadAverage()}): " +
                $"bare model {bareCost:F2} µs per record, fused graph {all:F2} (bare / fused {bareCost / all:F2})");
            output.WriteLine("| layer | features | autoencoder | µs per record it adds | share of the added time | bare / fused without it |");
            output.WriteLine("|---|---:|---|---:|---:|---:|");
            for (var i = 0; i < layers.Count; i++)
            {
                var widths = string.Join("-", new[] { layers[i].Mean.Length }.Concat(layers[i].Autoencoder.Select(d => d.Outputs)));
                output.WriteLine($"| {i + 1}: {layers[i].TensorName} ({layers[i].Pooling}) | {layers[i].Mean.Length} | {widths} | {all - cost[i + 1]:F2} | {(all - cost[i + 1]) / (all - bareCost):P0} | {bareCost / cost[i + 1]:F2} |");
            }
            output.WriteLine();
        }
        finally
        {
            foreach (var r in runners) r.Dispose();
        }
    }

    /// <summary>ONNX Runtime's own profile of 200 runs: microseconds per run by op type, largest first.</summary>
    internal static string Profile(byte[] onnx, string input, string[] outputs, FloatTensor records, int batch, bool byNode = false)
    {
        var prefix = Path.Combine(Path.GetTempPath(), $"nfp-profile-{Guid.NewGuid():N}");
        using var options = ScorerSession.CreateSessionOptions();
        if (CpuTime) options.IntraOpNumThreads = 1;
        options.EnableProfiling = true;
        options.ProfileOutputPathPrefix = prefix;
        string file;
        const int runs = 200;
        using (var session = new InferenceSession(onnx, options))
        {
            using var runOptions = new RunOptions();
            for (var i = 0; i < runs; i++)
            {
                using var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, records.Data.AsMemory(0, batch * records.RecordLength), [batch, .. records.RecordShape.Select(d => (long)d)]);
                using var results = session.Run(runOptions, [input], [value], outputs);
            }
            file = session.EndProfiling();
        }
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
            var byOp = new Dictionary<string, double>();
            foreach (var e in json.RootElement.EnumerateArray())
            {
                if (e.GetProperty("cat").GetString() != "Node" || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
                var op = byNode ? e.GetProperty("name").GetString()![..^"_kernel_time".Length] : e.GetProperty("args").GetProperty("op_name").GetString()!;
                byOp[op] = byOp.GetValueOrDefault(op) + e.GetProperty("dur").GetDouble();
            }
            return $"total {byOp.Values.Sum() / runs:F1} µs; " + string.Join(", ", byOp.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value / runs:F1}"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>What a fused graph's caller reads: the model's outputs, then each layer's error and latent distance.</summary>
    private static string[] Outputs(OnnxModel model, IReadOnlyList<FusedLayer> layers) =>
        [.. model.OutputNames, .. layers.SelectMany(l => new[] { l.ErrorOutputName, l.LatentOutputName }).OfType<string>()];

    private static int Nodes(byte[] onnx) => ModelProto.Parser.ParseFrom(onnx).Graph.Node.Count;

    /// <summary>Nodes ONNX Runtime runs after its graph optimisations (the scorer's session options).</summary>
    private static int OptimisedNodes(byte[] onnx)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nfp-optimised-{Guid.NewGuid():N}.onnx");
        try
        {
            using var options = ScorerSession.CreateSessionOptions();
            options.OptimizedModelFilePath = path;
            using (new InferenceSession(onnx, options)) { }
            return Nodes(File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Milliseconds per call of each contender, called in turn on the same records.</summary>
    internal static List<double>[] Interleaved(SessionRunner[] contenders, FloatTensor records, int batch, int calls)
    {
        var times = contenders.Select(_ => new List<double>(calls)).ToArray();
        for (var i = 0; i < calls; i++)
        {
            var start = i * batch % (records.Records - batch + 1);
            for (var c = 0; c < contenders.Length; c++)
            {
                var began = Now();
                contenders[c].Run(records, start, batch);
                times[c].Add(Now() - began);
            }
        }
        return times;
    }
}
