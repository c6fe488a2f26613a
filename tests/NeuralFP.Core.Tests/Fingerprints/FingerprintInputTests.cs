using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>
/// Everything the uploader must change surfaces as one <see cref="FingerprintInputException"/> naming what to change, and
/// budgets refuse a build from the options and the model's shapes before any data is touched.
/// </summary>
public sealed class FingerprintInputTests
{
    private static readonly byte[] Cnn = File.ReadAllBytes(RepoPaths.Fixture("models/fmnist_cnn.onnx"));
    private static readonly FingerprintOptions Small = new() { Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 2, HiddenSize = 16 }, Detectors = [] };

    private static FloatTensor Reference(int records) => FashionMnist.Train().Take(records).Images;

    private static async Task<FingerprintInputException> Refused(byte[] model, FloatTensor reference, FingerprintOptions options, BuildLimits? limits = null) =>
        await Assert.ThrowsAsync<FingerprintInputException>(() => FingerprintBuilder.BuildAsync(model, reference, options, limits ?? new BuildLimits()));

    [Fact]
    public async Task A_constant_reference_is_a_reference_error_not_an_internal_one()
    {
        var ones = new float[200 * 784];
        Array.Fill(ones, 1f);

        var error = await Refused(Cnn, new FloatTensor(ones, [200, 1, 28, 28]), Small);

        Assert.Equal(FingerprintInput.Reference, error.Input);
        Assert.Contains("identical", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pooling_whose_feature_count_overflows_is_refused_by_the_feature_limit()
    {
        var error = await Refused(Cnn, Reference(200), Small with { Pooling = "46341x46341" });

        Assert.Equal(FingerprintInput.Limit, error.Input);
        Assert.Contains(nameof(BuildLimits.MaxFeaturesPerLayer), error.Message, StringComparison.Ordinal);
        Assert.Contains("NeuralFP__Limits__MaxFeaturesPerLayer", error.Message, StringComparison.Ordinal);
        Assert.Contains("pooling", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_64x64_pooling_of_a_28x28_model_is_refused_before_any_activation_is_extracted()
    {
        // Cancelled before the call: the refusal must come from the up-front estimate, since any work would observe the token.
        var limits = new BuildLimits();
        var error = await Assert.ThrowsAsync<FingerprintInputException>(() => Task.Run(() =>
            FingerprintBuilder.Build(Cnn, Reference(200), Small with { Pooling = "64x64" }, progress: null, new CancellationToken(canceled: true), limits)));

        Assert.Equal(FingerprintInput.Limit, error.Input);
        Assert.Contains("64x64", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(BuildLimits.MaxFeaturesPerLayer), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_budget_names_its_limit_and_setting()
    {
        var reference = Reference(200);
        var parameters = await Refused(Cnn, reference, Small, new BuildLimits { MaxAutoencoderParameters = 1000 });
        var scorer = await Refused(Cnn, reference, Small, new BuildLimits { MaxScorerBytes = 1000 });
        var memory = await Refused(Cnn, reference, Small, new BuildLimits { MaxBuildMemoryBytes = 1 << 20 });

        Assert.Contains("NeuralFP__Limits__MaxAutoencoderParameters", parameters.Message, StringComparison.Ordinal);
        Assert.Contains("NeuralFP__Limits__MaxScorerBytes", scorer.Message, StringComparison.Ordinal);
        Assert.Contains("NeuralFP__Limits__MaxBuildMemoryBytes", memory.Message, StringComparison.Ordinal);
        Assert.All([parameters, scorer, memory], e => Assert.Equal(FingerprintInput.Limit, e.Input));
    }

    [Fact]
    public void The_estimate_grows_with_the_pooling_and_the_records()
    {
        var model = OnnxModel.Load(Cnn);
        var conv = model.AutoLayers().First(n => model.Layers.First(l => l.Name == n).Shape!.Length == 3 && n != model.InputName);
        var shape = model.Layers.First(l => l.Name == conv).Shape!;
        BuildEstimate Of(string pooling, long records) =>
            BuildEstimate.For(Cnn.Length, [(conv, shape, Core.Activations.PoolingSpec.Parse(pooling), true)], records, records * 784 * 4, new FingerprintOptions());

        var global = Of("global", 1000);
        var grid = Of("4x4", 1000);
        Assert.Equal(shape[0], global.Layers[0].Features);
        Assert.Equal(16L * shape[0], grid.Layers[0].Features);
        Assert.True(grid.AutoencoderParameters > global.AutoencoderParameters);
        Assert.True(grid.ScorerBytes > global.ScorerBytes);
        Assert.True(Of("4x4", 10_000).BuildMemoryBytes > grid.BuildMemoryBytes);
    }

    [Fact]
    public async Task The_default_limits_let_an_ordinary_build_through()
    {
        var fingerprint = await FingerprintBuilder.BuildAsync(Cnn, Reference(300), Small, new BuildLimits());
        Assert.Equal(300, fingerprint.Manifest.Calibration.ReferenceRecords);
    }

    [Fact]
    public async Task An_option_out_of_range_is_an_options_error()
    {
        var error = await Refused(Cnn, Reference(200), Small with { TargetFpr = 0.7 });

        Assert.Equal(FingerprintInput.Options, error.Input);
        Assert.Contains("TargetFpr", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bytes_that_are_not_onnx_are_a_model_error()
    {
        var error = await Refused("not a model"u8.ToArray(), Reference(200), Small);

        Assert.Equal(FingerprintInput.Model, error.Input);
        Assert.IsType<OnnxModelException>(error.InnerException);
    }

    [Fact]
    public async Task A_reference_of_the_wrong_shape_is_a_reference_error()
    {
        var error = await Refused(Cnn, new FloatTensor(new float[200 * 10], [200, 10]), Small);

        Assert.Equal(FingerprintInput.Reference, error.Input);
        Assert.IsType<InvalidRecordsException>(error.InnerException);
        Assert.Contains("784", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_out_of_range_are_refused_at_start_naming_the_setting()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new BuildLimits { MaxFeaturesPerLayer = 0 }.Validate());
        Assert.Contains("NeuralFP__Limits__MaxFeaturesPerLayer", error.Message, StringComparison.Ordinal);
        new BuildLimits().Validate();
    }
}
