using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;

namespace NeuralFP.Core.Tests.Onnx;

/// <summary>
/// Transformers exported with an explicit activation op in the feed-forward (tests/fixtures/models/tokens, built by
/// tools/build_token_activation_models.py: one with a Relu op, one with a Gelu op at opset 20): the activation is a
/// token-wise [T, F] tensor and must be pooled over time like the blocks' token states, not as a [C, L] map (which would
/// average each token over its features). A Conv1d's [C, L] map keeps the map pooling.
/// </summary>
public sealed class TokenActivationLayerTests
{
    private const int Tokens = 6, FeedForward = 16;

    private static byte[] Tokenwise(string file) => Fixtures.Bytes($"tokens/{file}");

    private static string Activation(OnnxModel model, string op) => model.Proto.Graph.Node.Single(n => n.OpType == op).Output[0];

    [Theory]
    [InlineData("token_relu_transformer.onnx", "Relu")]
    [InlineData("token_gelu_transformer.onnx", "Gelu")]
    public void A_feed_forward_activation_op_is_a_sequence_pooled_over_time_not_a_map(string file, string op)
    {
        var model = OnnxModel.Load(Tokenwise(file));
        var activation = Activation(model, op);

        var layer = model.Layers.Single(l => l.Name == activation);
        var pooling = FingerprintBuilder.PoolingFor(model, activation, new FingerprintOptions());

        Assert.Equal([Tokens, FeedForward], layer.Shape!);
        Assert.Equal(LayerRole.Sequence, layer.Role);
        Assert.Contains(activation, model.AutoLayers());
        Assert.True(pooling.OverTime, $"{pooling}");
        // time4: the feed-forward's 16 features over 4 segments of the tokens; as a 2x2 map it was 6 tokens × 2 bins of features.
        Assert.Equal(FeedForward * 4, pooling.FeatureCount(layer.Shape!));
        // The block's output stays the other token layer.
        Assert.Single(model.Layers, l => l.Role == LayerRole.Sequence && l.Name != activation);
    }

    [Theory]
    [InlineData("token_relu_transformer.onnx", "Relu")]
    [InlineData("token_gelu_transformer.onnx", "Gelu")]
    public void A_fingerprint_of_the_activation_pools_it_over_time_and_the_fused_graph_matches_the_extractor(string file, string op)
    {
        var bytes = Tokenwise(file);
        var activation = Activation(OnnxModel.Load(bytes), op);
        var options = new FingerprintOptions
        {
            Seed = 5, Autoencoder = new AutoencoderOptions { MaxEpochs = 3, HiddenSize = 16 }, Detectors = [], Layers = [activation],
        };

        var manifest = FingerprintBuilder.Build(bytes, Gaussian(1500, seed: 9), options, null, CancellationToken.None).Fingerprint.Manifest;

        var layer = Assert.Single(manifest.Layers);
        Assert.Equal((activation, "time4", FeedForward * 4), (layer.Name, layer.Pooling, layer.Features));
        Assert.True(manifest.Fusion.MaxRelativeDeviation < FusionCheck.Tolerance, $"{manifest.Fusion}");
    }

    [Fact]
    public void A_conv1d_activation_stays_a_channels_first_map()
    {
        var model = OnnxModel.Load(Conv1dRelu(channels: 4, length: 10));

        var layer = model.Layers.Single(l => l.Name == "act");

        Assert.Equal([4, 10], layer.Shape!);
        Assert.Equal(LayerRole.Hidden, layer.Role);
        var pooling = FingerprintBuilder.PoolingFor(model, "act", new FingerprintOptions());
        Assert.False(pooling.OverTime);
        Assert.Equal(4 * 2, pooling.FeatureCount(layer.Shape!)); // 2x2: two bins along L per channel
    }

    private static FloatTensor Gaussian(int records, int seed)
    {
        var random = new Random(seed);
        var values = new float[records * Tokens * 5];
        for (var i = 0; i < values.Length; i++) values[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return new FloatTensor(values, [records, Tokens, 5]);
    }

    /// <summary>input [N, 2, length] → Conv1d (kernel 3, pad 1, <paramref name="channels"/> out) → Relu "act" → Flatten → MatMul → "logits" [N, 3].</summary>
    private static byte[] Conv1dRelu(int channels, int length)
    {
        var random = new Random(3);
        var graph = new GraphProto { Name = "conv1d" };
        graph.Input.Add(Value("input", [2, length]));
        graph.Output.Add(Value("logits", [3]));
        TensorProto Weight(string name, params long[] dims)
        {
            var t = new TensorProto { Name = name, DataType = 1, Dims = { dims } };
            for (var i = 0; i < dims.Aggregate(1L, (a, b) => a * b); i++) t.FloatData.Add((float)(random.NextDouble() - 0.5));
            graph.Initializer.Add(t);
            return t;
        }
        Weight("w", channels, 2, 3);
        Weight("head", channels * length, 3);
        var conv = new NodeProto { Name = "conv", OpType = "Conv", Input = { "input", "w" }, Output = { "conv" } };
        conv.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1 } });
        graph.Node.Add(conv);
        graph.Node.Add(new NodeProto { Name = "relu", OpType = "Relu", Input = { "conv" }, Output = { "act" } });
        graph.Node.Add(new NodeProto { Name = "flatten", OpType = "Flatten", Input = { "act" }, Output = { "flat" } });
        graph.Node.Add(new NodeProto { Name = "fc", OpType = "MatMul", Input = { "flat", "head" }, Output = { "logits" } });
        var model = new ModelProto { IrVersion = 8, ProducerName = "NeuralFP.Core.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return Google.Protobuf.MessageExtensions.ToByteArray(model);
    }

    private static ValueInfoProto Value(string name, long[] recordShape)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (var d in recordShape) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }
}
