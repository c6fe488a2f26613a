using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Benchmarks;

/// <summary>
/// Records per second of ONNX Runtime on a bare model, on its fused scorer graph (one random
/// autoencoder per auto layer), through the tap-and-pool extractor, and with the pooling done by
/// graph ops instead, at one batch size. Call <see cref="Run"/> from Program.cs with a model path.
/// </summary>
public static class FusionThroughput
{
    public static void Run(string modelPath, int batchSize = 256, int batches = 10, int rounds = 5, string pooling = "global", TextWriter? output = null)
    {
        output ??= Console.Out;
        var bytes = File.ReadAllBytes(modelPath);
        var model = OnnxModel.Load(bytes);
        var rng = new Random(1234);
        var records = new FloatTensor(
            [.. Enumerable.Range(0, batchSize * model.InputShape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)rng.NextDouble())],
            [batchSize, .. model.InputShape]);

        var spec = PoolingSpec.Parse(pooling);
        var layers = model.AutoLayers().Select((name, i) =>
        {
            var shape = model.Layer(name).Shape!;
            var width = spec.FeatureCount(shape);
            return new FusedLayer(name, shape, spec, new float[width], Enumerable.Repeat(1f, width).ToArray(), RandomAutoencoder(width, rng), $"error/{i}");
        }).ToList();
        var fused = ScorerGraphBuilder.Build(model, layers);
        LayerSpec[] specs = [.. layers.Select(l => new LayerSpec(l.TensorName, spec))];

        output.WriteLine($"{Path.GetFileName(modelPath)}: batch {batchSize}, {rounds}×{batches} batches, {Environment.ProcessorCount} threads, " +
                         $"{layers.Count} layers ({string.Join(", ", layers.Select(l => $"{l.TensorName}→{l.Mean.Length}"))}), pooling {spec}");

        using var bareSession = new OrtSession(bytes);
        using var fusedSession = new OrtSession(fused);
        using var extractor = new ActivationExtractor(model, specs);
        using var pooledSession = new OrtSession(ScorerGraphBuilder.BuildFeatureGraph(model, specs).Model);
        using var input = OrtValue.CreateTensorValueFromMemory(records.Data, [.. records.Shape.Select(d => (long)d)]);
        var bare = new List<double>();
        var scorer = new List<double>();
        var taps = new List<double>();
        var pooledTaps = new List<double>();
        // Rounds alternate between the contenders so that load from other processes hits them alike.
        for (var round = 0; round <= rounds; round++)
        {
            var b = Time(() => bareSession.Run(model.InputName, input, bareSession.Session.OutputNames, CancellationToken.None).Dispose(), batches);
            var f = Time(() => fusedSession.Run(model.InputName, input, fusedSession.Session.OutputNames, CancellationToken.None).Dispose(), batches);
            var t = Time(() => extractor.Extract(records, batchSize), batches);
            var p = Time(() => pooledSession.Run(model.InputName, input, pooledSession.Session.OutputNames, CancellationToken.None).Dispose(), batches);
            if (round == 0) continue; // warm-up
            bare.Add(batchSize / b);
            scorer.Add(batchSize / f);
            taps.Add(batchSize / t);
            pooledTaps.Add(batchSize / p);
        }
        output.WriteLine($"  records/s (best / median of {rounds} rounds)");
        output.WriteLine($"  bare model          {bare.Max(),10:N0} / {Median(bare),10:N0}");
        output.WriteLine($"  fused scorer graph  {scorer.Max(),10:N0} / {Median(scorer),10:N0}   ({scorer.Max() / bare.Max():P0} of bare, best vs best)");
        output.WriteLine($"  taps + C# pooling   {taps.Max(),10:N0} / {Median(taps),10:N0}   (ActivationExtractor)");
        output.WriteLine($"  taps pooled in ONNX {pooledTaps.Max(),10:N0} / {Median(pooledTaps),10:N0}   (pooling ops in the graph, no C#)");
    }

    /// <summary>Mean seconds per call over <paramref name="calls"/> calls.</summary>
    private static double Time(Action call, int calls)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++) call();
        return watch.Elapsed.TotalSeconds / calls;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static DenseLayer[] RandomAutoencoder(int width, Random rng)
    {
        var hidden = Math.Clamp(width / 4, 2, 64);
        var code = Math.Clamp(width / 8, 1, 16);
        return [Dense(width, hidden, Activation.Relu), Dense(hidden, code, Activation.Relu), Dense(code, hidden, Activation.Relu), Dense(hidden, width, Activation.Identity)];

        DenseLayer Dense(int inputs, int outputs, Activation activation)
        {
            var w = new float[inputs * outputs];
            for (var i = 0; i < w.Length; i++) w[i] = (float)((rng.NextDouble() * 2 - 1) / Math.Sqrt(inputs));
            return new DenseLayer(inputs, outputs, w, new float[outputs], activation);
        }
    }
}
