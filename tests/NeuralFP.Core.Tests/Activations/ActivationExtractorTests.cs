using NeuralFP.Core.Activations;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Activations;

public class ActivationExtractorTests
{
    private static LayerSpec[] AutoSpecs(OnnxModel model, string pooling)
        => [.. model.AutoLayers().Select(n => new LayerSpec(n, PoolingSpec.Parse(pooling)))];

    [Theory]
    [InlineData(Fixtures.Cnn, "global")]
    [InlineData(Fixtures.Cnn, "2x2")]
    [InlineData(Fixtures.Mlp, "none")]
    public void Features_are_the_tapped_tensors_pooled_record_by_record(string fixture, string pooling)
    {
        var model = Fixtures.Model(fixture);
        var specs = AutoSpecs(model, pooling);
        var records = FashionMnist.Test().Take(70).Images;
        var raw = OrtRunner.Run(model.WithTaps([.. specs.Select(s => s.Name)]), records);
        using var extractor = new ActivationExtractor(model, specs);

        var set = extractor.Extract(records, batchSize: 32);

        Assert.Equal(specs.Select(s => s.Name), set.Layers);
        for (var l = 0; l < specs.Length; l++)
        {
            var shape = extractor.TapShapes[l];
            var d = specs[l].Pooling.FeatureCount(shape);
            Assert.Equal([70, d], set.Features[l].Shape);
            var length = shape.Aggregate(1, (a, b) => a * b);
            var expected = new float[d];
            for (var r = 0; r < 70; r++)
            {
                specs[l].Pooling.Pool(raw[l + 1].Data.AsSpan(r * length, length), shape, expected);
                Tolerance.AssertClose(expected, set.Features[l].Record(r), 1e-5);
            }
        }
    }

    [Fact]
    public void Outputs_are_the_model_first_output()
    {
        var model = Fixtures.Model(Fixtures.Cnn);
        var records = FashionMnist.Test().Take(50).Images;
        var bare = OrtRunner.Run(Fixtures.Bytes(Fixtures.Cnn), records);
        using var extractor = new ActivationExtractor(model, AutoSpecs(model, "global"));

        var set = extractor.Extract(records, batchSize: 16);

        Assert.Equal([50, 10], set.Outputs.Shape);
        Tolerance.AssertClose(bare[0].Data, set.Outputs.Data, 1e-5);
        Assert.Equal(set.Outputs.Data, set["logits"].Data);
    }

    [Fact]
    public void Without_layers_only_the_outputs_are_returned()
    {
        var model = Fixtures.Model(Fixtures.Mlp);
        var records = FashionMnist.Test().Take(20).Images;
        using var extractor = new ActivationExtractor(model, []);

        var set = extractor.Extract(records);

        Assert.Empty(set.Features);
        Tolerance.AssertClose(OrtRunner.Run(Fixtures.Bytes(Fixtures.Mlp), records)[0].Data, set.Outputs.Data, 1e-5);
    }

    [Fact]
    public void Tap_shapes_are_the_listed_layer_shapes()
    {
        var model = Fixtures.Model(Fixtures.Cnn);
        var specs = AutoSpecs(model, "global");

        using var extractor = new ActivationExtractor(model, specs);

        Assert.Equal(specs.Select(s => model.Layers.Single(l => l.Name == s.Name).Shape), extractor.TapShapes);
        Assert.Equal([1, 28, 28], extractor.TapShapes[0]);
    }

    [Fact]
    public void Batch_size_does_not_change_the_result()
    {
        var model = Fixtures.Model(Fixtures.Cnn);
        using var extractor = new ActivationExtractor(model, AutoSpecs(model, "2x2"));
        var records = FashionMnist.Test().Take(45).Images;

        var whole = extractor.Extract(records, batchSize: 256);
        var pieces = extractor.Extract(records, batchSize: 7);

        for (var l = 0; l < whole.Layers.Count; l++) Tolerance.AssertClose(whole.Features[l].Data, pieces.Features[l].Data, 1e-5);
    }

    [Fact]
    public void Fixed_batch_model_is_extracted_in_batches()
    {
        var model = Fixtures.Model(Fixtures.CnnFixedBatch);
        var dynamic = Fixtures.Model(Fixtures.Cnn);
        var records = FashionMnist.Test().Take(33).Images;
        using var fixedExtractor = new ActivationExtractor(model, AutoSpecs(model, "global"));
        using var dynamicExtractor = new ActivationExtractor(dynamic, AutoSpecs(dynamic, "global"));

        var fromFixed = fixedExtractor.Extract(records, batchSize: 16);
        var fromDynamic = dynamicExtractor.Extract(records, batchSize: 16);

        Tolerance.AssertClose(fromDynamic.Outputs.Data, fromFixed.Outputs.Data, 1e-5);
    }

    [Fact]
    public void Records_of_the_wrong_shape_are_rejected()
    {
        var model = Fixtures.Model(Fixtures.Mlp);
        using var extractor = new ActivationExtractor(model, AutoSpecs(model, "global"));

        var e = Assert.Throws<InvalidRecordsException>(() => extractor.Extract(new FloatTensor(new float[2 * 784], [2, 784])));

        Assert.Contains("[784]", e.Message);
        Assert.Contains("[1,28,28]", e.Message);
    }

    [Fact]
    public void An_unknown_layer_is_rejected_listing_valid_names()
    {
        var model = Fixtures.Model(Fixtures.Mlp);

        var e = Assert.Throws<OnnxModelException>(() => new ActivationExtractor(model, [new LayerSpec("fc9", PoolingSpec.Global)]));

        Assert.Contains("'fc9'", e.Message);
        Assert.Contains("'input'", e.Message);
    }

    [Fact]
    public void A_cancelled_token_stops_extraction()
    {
        var model = Fixtures.Model(Fixtures.Mlp);
        using var extractor = new ActivationExtractor(model, AutoSpecs(model, "global"));
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => extractor.Extract(FashionMnist.Test().Take(10).Images, cancellationToken: cts.Token));
    }
}
