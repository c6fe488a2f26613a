using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using Google.Protobuf;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Support;

/// <summary>Seeded random layer autoencoders and a plain double-precision reference of what the fused graph computes.</summary>
internal static class ReferenceScoring
{
    public static IReadOnlyList<DenseLayer> RandomAutoencoder(int width, Random rng)
    {
        return [RandomDense(width, 16, Activation.Tanh, rng), RandomDense(16, 8, Activation.Relu, rng), RandomDense(8, width, Activation.Identity, rng)];
    }

    /// <summary>A dense layer with seeded uniform weights (±1/√inputs) and small biases.</summary>
    public static DenseLayer RandomDense(int inputs, int outputs, Activation activation, Random rng)
    {
        var limit = 1.0 / Math.Sqrt(inputs);
        var w = new float[inputs * outputs];
        for (var i = 0; i < w.Length; i++) w[i] = (float)((rng.NextDouble() * 2 - 1) * limit);
        var b = new float[outputs];
        for (var i = 0; i < b.Length; i++) b[i] = (float)(rng.NextDouble() * 0.2 - 0.1);
        return new DenseLayer(inputs, outputs, w, b, activation);
    }

    /// <summary>input → Relu → "act" with its opset set, one fused layer (random autoencoder) on the whole input, and the
    /// input's features as that layer reads them.</summary>
    public static (OnnxModel Model, IReadOnlyList<FusedLayer> Layers, FloatTensor Features) ReluModelWithInputLayer(long opset, long[] recordShape, FloatTensor records)
    {
        var proto = ModelProto.Parser.ParseFrom(SyntheticModels.Relu(recordShape));
        proto.OpsetImport.Single(o => o.Domain is "" or "ai.onnx").Version = opset;
        var model = OnnxModel.Load(proto.ToByteArray());
        var specs = new[] { new LayerSpec("input", PoolingSpec.Parse("none")) };
        using var extractor = new ActivationExtractor(model, specs);
        var activations = extractor.Extract(records);
        return (model, FusedLayers(model, specs, activations, seed: 1), activations.Features[0]);
    }

    /// <summary>Fused layers over the extracted features: statistics from the features, random autoencoders.</summary>
    public static IReadOnlyList<FusedLayer> FusedLayers(OnnxModel model, IReadOnlyList<LayerSpec> specs, ActivationSet activations, int seed)
    {
        var rng = new Random(seed);
        return [.. specs.Select((spec, l) =>
        {
            var features = activations.Features[l];
            var (mean, scale) = Statistics(features);
            return new FusedLayer(spec.Name, model.Layers.Single(c => c.Name == spec.Name).Shape!, spec.Pooling, mean, scale,
                RandomAutoencoder(features.RecordLength, rng), $"error/{l}");
        })];
    }

    public static (float[] Mean, float[] Scale) Statistics(FloatTensor features)
    {
        int n = features.Records, d = features.RecordLength;
        var mean = new float[d];
        var scale = new float[d];
        for (var j = 0; j < d; j++)
        {
            double sum = 0, sq = 0;
            for (var r = 0; r < n; r++) { double v = features.Data[r * d + j]; sum += v; sq += v * v; }
            var m = sum / n;
            mean[j] = (float)m;
            scale[j] = (float)Math.Max(Math.Sqrt(Math.Max(sq / n - m * m, 0)), 1e-2);
        }
        return (mean, scale);
    }

    /// <summary>Per record: mean over features of (z − ẑ)² with z the standardised features.</summary>
    public static double[] Errors(FloatTensor features, FusedLayer layer) =>
        [.. SquaredResiduals(features, layer).Select(squares => squares.Average())];

    /// <summary>Per record and feature: (z − ẑ)² with z the standardised features and ẑ the autoencoder's reconstruction.</summary>
    public static double[][] SquaredResiduals(FloatTensor features, FusedLayer layer)
    {
        var squares = new double[features.Records][];
        for (var r = 0; r < features.Records; r++)
        {
            var x = features.Record(r);
            var z = new double[x.Length];
            for (var j = 0; j < z.Length; j++) z[j] = (x[j] - (double)layer.Mean[j]) / layer.Scale[j];
            var h = z;
            foreach (var dense in layer.Autoencoder)
            {
                var next = new double[dense.Outputs];
                for (var o = 0; o < dense.Outputs; o++)
                {
                    double s = dense.Bias[o];
                    for (var i = 0; i < dense.Inputs; i++) s += h[i] * dense.Weights[i * dense.Outputs + o];
                    next[o] = dense.Activation switch { Activation.Relu => Math.Max(s, 0), Activation.Tanh => Math.Tanh(s), _ => s };
                }
                h = next;
            }
            squares[r] = [.. z.Select((value, j) => (value - h[j]) * (value - h[j]))];
        }
        return squares;
    }
}
