using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

using NeuralFP.Core.Tests.Support;

namespace NeuralFP.Core.Tests.Fingerprints;

public sealed class FingerprintBuildTests(SmallCnnFingerprint cnn) : IClassFixture<SmallCnnFingerprint>
{
    [Fact]
    public void Manifest_describes_the_model_the_split_and_every_auto_layer()
    {
        var manifest = cnn.Fingerprint.Manifest;
        var model = OnnxModel.Load(cnn.ModelBytes);

        Assert.Equal(model.Sha256, manifest.ModelSha256);
        Assert.Equal([1, 28, 28], manifest.InputShape);
        Assert.Equal(model.AutoLayers(), manifest.Layers.Select(l => l.Name));
        Assert.Equal(1500, manifest.Calibration.ReferenceRecords);
        // Calibration uses every record the autoencoders did not train on: the 600 held out and the early-stopping ones.
        Assert.Equal(1500, manifest.Calibration.TrainRecords + manifest.Calibration.HeldOutRecords);
        Assert.Equal(600 + manifest.Calibration.ValidationRecords, manifest.Calibration.HeldOutRecords);
        Assert.All(manifest.Layers, l => Assert.Equal(l.Features, l.Mean.Length));
        Assert.All(manifest.Layers, l => Assert.Equal(l.Features, l.AutoencoderWidths[0]));
        Assert.All(manifest.Layers, l => Assert.Equal(l.Features, l.AutoencoderWidths[^1]));
    }

    [Fact]
    public void Thresholds_meet_the_target_fpr_on_the_held_out_records()
    {
        var calibration = cnn.Fingerprint.Manifest.Calibration;
        Assert.InRange(calibration.RealisedFpr, calibration.TargetFpr - 0.01, calibration.TargetFpr + 0.01);
        // The rate on new data: an interval around the target, as wide as ~900 held-out records allow (about ±1.2 pp).
        var newData = Assert.IsType<Core.Metrics.FprInterval>(calibration.NewDataFpr);
        Assert.Equal(calibration.HeldOutRecords, newData.CalibrationRecords);
        Assert.InRange(calibration.TargetFpr, newData.Low, newData.High);
        Assert.InRange(newData.High - newData.Low, 0.015, 0.04);
        var rule = cnn.Fingerprint.Manifest.Rule;
        for (var l = 0; l < rule.Layers.Count; l++) Assert.True(rule.Lower[l] < rule.Upper[l]);
    }

    [Fact]
    public async Task Same_inputs_and_seed_give_the_same_fingerprint()
    {
        var again = await FingerprintBuilder.BuildAsync(cnn.ModelBytes, cnn.Reference, SmallCnnFingerprint.Options);

        Assert.Equal(cnn.Fingerprint.ScorerOnnx, again.ScorerOnnx);
        Assert.Equal(cnn.Fingerprint.Manifest.Rule.Upper, again.Manifest.Rule.Upper);
        Assert.Equal(cnn.Fingerprint.Manifest.Rule.Lower, again.Manifest.Rule.Lower);
    }

    [Fact]
    public async Task Too_few_reference_records_are_rejected_with_the_minimum()
    {
        var tiny = FashionMnist.Train().Take(FingerprintOptions.MinReferenceRecords - 1).Images;

        var error = await Assert.ThrowsAsync<FingerprintInputException>(() => FingerprintBuilder.BuildAsync(cnn.ModelBytes, tiny, SmallCnnFingerprint.Options));
        Assert.IsType<InvalidRecordsException>(error.InnerException);
        Assert.Contains(FingerprintOptions.MinReferenceRecords.ToString(), error.Message);
    }

    [Fact]
    public async Task Reference_of_the_wrong_shape_is_rejected_with_both_shapes()
    {
        var wrong = new FloatTensor(new float[200 * 10], [200, 10]);

        var error = await Assert.ThrowsAsync<FingerprintInputException>(() => FingerprintBuilder.BuildAsync(cnn.ModelBytes, wrong, SmallCnnFingerprint.Options));
        Assert.IsType<InvalidRecordsException>(error.InnerException);
        Assert.Contains("784", error.Message);
    }

    [Fact]
    public async Task Bytes_that_are_not_onnx_are_rejected_before_any_work()
    {
        var error = await Assert.ThrowsAsync<FingerprintInputException>(() => FingerprintBuilder.BuildAsync("not a model"u8.ToArray(), cnn.Reference, SmallCnnFingerprint.Options));
        Assert.IsType<OnnxModelException>(error.InnerException);
    }

    [Fact]
    public async Task Save_and_load_round_trip_gives_the_same_artifact()
    {
        var loaded = await SavedFingerprint.RoundTripAsync(cnn.Fingerprint);

        Assert.Equal(cnn.Fingerprint.ScorerOnnx, loaded.ScorerOnnx);
        Assert.Equal(cnn.Fingerprint.Manifest.Rule.Upper, loaded.Manifest.Rule.Upper);
        Assert.Equal(cnn.Fingerprint.Manifest.Layers.Select(l => l.Name), loaded.Manifest.Layers.Select(l => l.Name));
        Assert.Equal(cnn.Fingerprint.Manifest.Rule.Distributions[0].Quantiles, loaded.Manifest.Rule.Distributions[0].Quantiles);
    }
}
