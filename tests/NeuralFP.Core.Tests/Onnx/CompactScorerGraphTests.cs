using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Explanations;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;
using Google.Protobuf;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Onnx;

/// <summary>
/// The compact scorer graph is a reparametrisation of main's (<see cref="MainScorerGraph"/>): on real fixture models with
/// trained autoencoders and fitted latent distances, both give the same errors, latent distances and verdicts up to float
/// rounding, with fewer nodes.
/// </summary>
public class CompactScorerGraphTests
{
    private const int TrainRecords = 300;

    /// <summary>Fused layers as the fingerprint build makes them: standardiser, autoencoder trained briefly, latent distance.</summary>
    private static (OnnxModel Model, IReadOnlyList<FusedLayer> Layers) Trained(string fixture, string pooling, bool perClass, bool latent = true)
    {
        var model = Fixtures.Model(fixture);
        var specs = model.AutoLayers().Select(n => new LayerSpec(n, PoolingSpec.Parse(pooling))).ToArray();
        using var extractor = new ActivationExtractor(model, specs);
        var train = FashionMnist.Train().Take(TrainRecords);
        var activations = extractor.Extract(train.Images, batchSize: 100);
        var options = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 4, Seed = 5 };
        var layers = new List<FusedLayer>();
        for (var l = 0; l < specs.Length; l++)
        {
            var features = activations.Features[l];
            var standardizer = Standardizer.Fit(features);
            var z = standardizer.Transform(features);
            var autoencoder = AutoencoderTrainer.Fit(z.Slice(0, 250), z.Slice(250, 50), options with { Seed = 5 + l });
            var distance = latent ? LatentDistance.Fit(LatentDistance.Encode(autoencoder.Layers, z), perClass ? train.Labels : null) : null;
            layers.Add(new FusedLayer(specs[l].Name, model.Layer(specs[l].Name).Shape!, specs[l].Pooling, standardizer.Mean, standardizer.Scale, autoencoder.Layers, $"nfp_error_{l}")
            { Latent = distance, LatentOutputName = distance is null ? null : $"nfp_latent_{l}" });
        }
        return (model, layers);
    }

    /// <summary>In-distribution test images, then digits (out of distribution).</summary>
    private static FloatTensor Records()
    {
        var fashion = FashionMnist.Test().Take(160).Images;
        var digits = Digits.HeldOut28().Take(80).Images;
        return new FloatTensor([.. fashion.Data, .. digits.Data], [240, .. fashion.RecordShape]);
    }

    [Theory]
    [InlineData(Fixtures.Cnn, "2x2", false)]
    [InlineData(Fixtures.Cnn, "4x4", true)]
    [InlineData(Fixtures.Mlp, "none", false)]
    public void Errors_latent_distances_and_verdicts_equal_mains_graph(string fixture, string pooling, bool perClass)
    {
        var (model, layers) = Trained(fixture, pooling, perClass);
        var records = Records();

        var main = OrtRunner.Run(MainScorerGraph.Build(model, layers), records);
        var compact = OrtRunner.Run(ScorerGraphBuilder.Build(model, layers), records);

        Assert.Equal(main.Select(o => o.Name), compact.Select(o => o.Name));
        for (var o = 0; o < main.Count; o++)
        {
            Assert.Equal(main[o].Shape, compact[o].Shape);
            // Float rounding only: the reparametrised sums differ in their last bits.
            Tolerance.AssertClose(main[o].Data, compact[o].Data, 2e-4, floor: 1e-3);
        }
        // Verdicts: a one-out rule with each statistic's threshold at its 95th percentile over the in-distribution
        // records (midway between two order statistics, as a calibrated threshold sits), applied to both graphs'
        // statistics, flags exactly the same records.
        var statistics = Enumerable.Range(model.OutputNames.Count, main.Count - model.OutputNames.Count).ToArray();
        var thresholds = statistics.Select(o => main[o].Data.Take(160).Order().Skip(151).Take(2).Average()).ToArray();
        bool[] Verdicts(IReadOnlyList<OrtRunner.Output> outputs) =>
            [.. Enumerable.Range(0, records.Records).Select(r => statistics.Select((o, s) => outputs[o].Data[r] > thresholds[s]).Any(x => x))];
        var mainVerdicts = Verdicts(main);
        Assert.Equal(mainVerdicts, Verdicts(compact));
        Assert.Contains(true, mainVerdicts.Skip(160)); // the digits are flagged: the comparison is not vacuous
    }

    [Theory]
    [InlineData(Fixtures.Cnn, "2x2")]
    [InlineData(Fixtures.Mlp, "none")]
    public void The_compact_graph_adds_at_most_60_percent_of_mains_nodes(string fixture, string pooling)
    {
        var (model, layers) = Trained(fixture, pooling, perClass: false);
        var original = model.Proto.Graph.Node.Count;

        var mainNodes = ModelProto.Parser.ParseFrom(MainScorerGraph.Build(model, layers)).Graph.Node.Count - original;
        var compactNodes = ModelProto.Parser.ParseFrom(ScorerGraphBuilder.Build(model, layers)).Graph.Node.Count - original;

        Assert.True(compactNodes <= 0.6 * mainNodes, $"compact graph adds {compactNodes} nodes, main's {mainNodes}");
        // Per layer after pooling (≤ 2 nodes): 3 Gemms (+2 Relu), the residual Gemm, Mul, ReduceSumSquare; the latent's ReduceSumSquare.
        Assert.True(compactNodes <= layers.Count * (2 + 9), $"compact graph adds {compactNodes} nodes for {layers.Count} layers");
    }

    [Fact]
    public void Features_far_from_zero_keep_their_centring_subtraction_and_the_same_errors()
    {
        // A mean 10⁴ scales from zero: folding x·(W/σ) − (μ/σ)·W would cancel in float; the graph keeps x − μ instead.
        var (model, layers) = Trained(Fixtures.Cnn, "2x2", perClass: false);
        var shifted = layers.Select((l, i) => i != 1 ? l : l with { Mean = [.. l.Mean.Select((m, j) => j == 0 ? m + 1e4f * l.Scale[j] : m)] }).ToList();
        var records = Records();

        var main = OrtRunner.Run(MainScorerGraph.Build(model, shifted), records);
        var compactGraph = ScorerGraphBuilder.Build(model, shifted);
        var compact = OrtRunner.Run(compactGraph, records);

        var subtractions = ModelProto.Parser.ParseFrom(compactGraph).Graph.Node.Count(n => n.OpType == "Sub" && n.Name.StartsWith(GraphEditor.Prefix, StringComparison.Ordinal));
        Assert.Equal(1, subtractions);
        for (var o = 0; o < main.Count; o++) Tolerance.AssertClose(main[o].Data, compact[o].Data, 2e-4, floor: 1e-3);
    }

    [Fact]
    public void Opset_18_reductions_take_their_axes_as_an_input_and_give_the_same_statistics()
    {
        var (model, layers) = Trained(Fixtures.Cnn, "2x2", perClass: true);
        var proto = model.Proto.Clone();
        proto.OpsetImport.Single(o => o.Domain is "" or "ai.onnx").Version = 18;
        var model18 = OnnxModel.Load(proto.ToByteArray());
        var records = Records();

        var at13 = OrtRunner.Run(ScorerGraphBuilder.Build(model, layers), records);
        var graph18 = ScorerGraphBuilder.Build(model18, layers);
        var at18 = OrtRunner.Run(graph18, records);

        Assert.Contains(ModelProto.Parser.ParseFrom(graph18).Graph.Node, n => n.OpType == "ReduceSumSquare" && n.Input.Count == 2);
        for (var o = 0; o < at13.Count; o++) Tolerance.AssertClose(at13[o].Data, at18[o].Data, 1e-6);
    }

    [Fact]
    public void Squared_residuals_for_explanations_equal_mains()
    {
        var (model, layers) = Trained(Fixtures.Cnn, "2x2", perClass: false, latent: false);
        var input = layers[0];
        var width = input.Mean.Length;
        var records = Records();

        var main = OrtRunner.Run(InputErrorGraph.Build(MainScorerGraph.Build(model, layers), input.ErrorOutputName, width), records).Single();
        var compact = OrtRunner.Run(InputErrorGraph.Build(ScorerGraphBuilder.Build(model, layers), input.ErrorOutputName, width), records).Single();

        Assert.Equal(main.Shape, compact.Shape);
        Tolerance.AssertClose(main.Data, compact.Data, 1e-3, floor: 1e-2);
    }
}
