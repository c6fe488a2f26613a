using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>
/// A build keeps the activations of a seeded, capped sample for the autoencoders (<see cref="FingerprintOptions.MaxTrainingRecords"/>)
/// and streams the rest: the sample is deterministic and bounded, a reference larger than the cap is never held as
/// records × features, and the same seed gives the same fingerprint.
/// </summary>
public sealed class SampledBuildTests
{
    private static readonly byte[] Cnn = File.ReadAllBytes(RepoPaths.Fixture("models/fmnist_cnn.onnx"));
    private static readonly FingerprintOptions Small = new() { Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 2, HiddenSize = 16 }, Detectors = [], BatchSize = 64, MaxTrainingRecords = 200 };

    [Fact]
    public void The_autoencoders_sample_is_seeded_bounded_and_disjoint_from_the_held_out_records()
    {
        var capped = ReferenceSplit.Create(60_000, 0.4, 0.15, seed: 7, maxTrainingRecords: 1_000);
        var again = ReferenceSplit.Create(60_000, 0.4, 0.15, seed: 7, maxTrainingRecords: 1_000);
        var other = ReferenceSplit.Create(60_000, 0.4, 0.15, seed: 8, maxTrainingRecords: 1_000);

        Assert.Equal(1_000, capped.Train.Length);
        Assert.Equal(176, capped.Validation.Length);          // 1,000 × 0.15 / 0.85, the uncapped split's proportion
        Assert.Equal(24_000, capped.HeldOut.Length);          // the held-out share is never capped: it costs one error per record
        Assert.Equal(60_000 - 24_000 - 1_000 - 176, capped.LeftOut);
        Assert.Equal(capped.Train, again.Train);
        Assert.Equal(capped.Validation, again.Validation);
        Assert.NotEqual(capped.Train, other.Train);
        var all = capped.Train.Concat(capped.Validation).Concat(capped.HeldOut).ToArray();
        Assert.Equal(all.Length, all.Distinct().Count());
        // Spread over the whole reference, not its first records.
        Assert.True(capped.Train.Max() > 50_000 && capped.Train.Min() < 10_000);
    }

    [Fact]
    public void A_cap_above_the_training_split_leaves_the_split_as_it_was()
    {
        var uncapped = ReferenceSplit.Create(10_000, 0.4, 0.15, seed: 42);
        var capped = ReferenceSplit.Create(10_000, 0.4, 0.15, seed: 42, maxTrainingRecords: FingerprintOptions.DefaultMaxTrainingRecords);

        Assert.Equal(5_100, capped.Train.Length);
        Assert.Equal(uncapped.Train, capped.Train);
        Assert.Equal(uncapped.Validation, capped.Validation);
        Assert.Equal(uncapped.HeldOut, capped.HeldOut);
        Assert.Equal(0, capped.LeftOut);
    }

    [Fact]
    public void A_build_over_a_reference_larger_than_the_cap_holds_the_activations_of_the_sample_only()
    {
        var reference = FashionMnist.Train().Take(1_500).Images;

        var outcome = FingerprintBuilder.Build(Cnn, RecordSource.FromTensor(reference), Small, progress: null, CancellationToken.None);

        var calibration = outcome.Fingerprint.Manifest.Calibration;
        Assert.Equal(200, calibration.TrainRecords);
        Assert.Equal(35, calibration.ValidationRecords);
        Assert.Equal(635, calibration.HeldOutRecords);         // every record the autoencoders did not train on that was not left out
        // Without detectors the held-out records are only streamed through the fused scorer: 235 of 1,500 records held.
        Assert.Equal(235, outcome.ExtractedRecords);
        // Every calibration record (held-out and early-stopping) has its error, one float per record and layer.
        Assert.All(outcome.CalibrationErrors, errors => Assert.Equal(635, errors.Length));
        Assert.Equal(1_500, calibration.ReferenceRecords);
    }

    [Fact]
    public void With_detectors_the_held_out_records_are_still_only_streamed_and_calibrate_them()
    {
        var reference = FashionMnist.Train().Take(1_000).Images;

        var outcome = FingerprintBuilder.Build(Cnn, RecordSource.FromTensor(reference), Small with { Detectors = ["energy", "mahalanobis"] }, progress: null, CancellationToken.None);

        // The detectors' held-out inputs come from the fused scorer's calibration pass, not from a held copy of the reference's activations.
        Assert.Equal(200 + 35, outcome.ExtractedRecords);
        Assert.Equal(2, outcome.Fingerprint.Detectors.Detectors.Count);
        Assert.All(outcome.Fingerprint.Detectors.Detectors, d => Assert.Equal(400, d.Calibration.SampleSize));
        Assert.All(outcome.Fingerprint.Detectors.Detectors, d => Assert.InRange(d.RealisedFpr, 0.04, 0.06));
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_capped_fingerprint_and_another_seed_another()
    {
        var bytes = Npy.ToBytes(FashionMnist.Train().Take(900).Images);
        Task<Fingerprint> Build(int seed) => FingerprintBuilder.BuildAsync(Cnn, RecordSource.FromNpy(() => new MemoryStream(bytes)), Small with { Seed = seed }, new BuildLimits());

        var first = await Build(5);
        var second = await Build(5);
        var other = await Build(6);

        Assert.Equal(first.ScorerOnnx, second.ScorerOnnx);
        Assert.Equal(first.Manifest.Rule.Upper, second.Manifest.Rule.Upper);
        Assert.NotEqual(first.ScorerOnnx, other.ScorerOnnx);
    }

    [Fact]
    public void The_estimated_memory_of_a_capped_build_grows_by_a_few_bytes_per_record_not_by_its_features()
    {
        var model = OnnxModel.Load(Cnn);
        var taps = model.AutoLayers().Select(name => (name, model.Layer(name).Shape!, name == model.InputName ? PoolingSpec.None : PoolingSpec.Parse("2x2"), true)).ToArray();
        var options = new FingerprintOptions();
        long Memory(long records) => BuildEstimate.For(Cnn.Length, taps, records, 2L * 256 * 784 * 4, options, detectorTaps: ["/8/Relu_output_0", "logits"]).BuildMemoryBytes;

        var perRecord = (Memory(1_000_000) - Memory(100_000)) / 900_000.0;
        var features = taps.Sum(t => t.Item3.FeatureCount(t.Item2));

        Assert.True(perRecord < 2048, $"{perRecord:F0} bytes per record");
        Assert.True(perRecord < features * sizeof(float) / 4.0, $"{perRecord:F0} bytes per record against {features * 4} bytes of features");
    }

    [Fact]
    public async Task A_cap_out_of_range_is_an_options_error_naming_it()
    {
        var error = await Assert.ThrowsAsync<FingerprintInputException>(() =>
            FingerprintBuilder.BuildAsync(Cnn, FashionMnist.Train().Take(200).Images, Small with { MaxTrainingRecords = 50 }, new BuildLimits()));
        Assert.Equal(FingerprintInput.Options, error.Input);
        Assert.Contains("MaxTrainingRecords", error.Message, StringComparison.Ordinal);

        var json = Assert.Throws<ArgumentOutOfRangeException>(() => FingerprintOptions.FromJson("{\"maxTrainingRecords\": 0}"));
        Assert.Contains("MaxTrainingRecords", json.Message, StringComparison.Ordinal);
        Assert.Equal(20_000, FingerprintOptions.FromJson("{\"maxTrainingRecords\": 20000}").MaxTrainingRecords);
    }
}
