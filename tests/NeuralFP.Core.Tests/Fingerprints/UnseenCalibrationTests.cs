using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Shifts;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>
/// <see cref="FingerprintOptions.UnseenFrom"/>: records appended after the model's training sample set every threshold,
/// and the autoencoders train on the records before them.
/// </summary>
public sealed class UnseenCalibrationTests
{
    private static readonly byte[] Cnn = File.ReadAllBytes(RepoPaths.Fixture("models/fmnist_cnn.onnx"));

    private static readonly FingerprintOptions Small = new()
    {
        Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 4, HiddenSize = 32 },
        Detectors = [],
        Seed = 5,
    };

    [Fact]
    public void The_split_takes_calibration_records_from_the_unseen_part_only_in_the_usual_proportion()
    {
        var split = ReferenceSplit.Create(1_000, 0.4, 0.15, seed: 3, unseenFrom: 700);
        var again = ReferenceSplit.Create(1_000, 0.4, 0.15, seed: 3, unseenFrom: 700);
        var capped = ReferenceSplit.Create(1_000, 0.4, 0.15, seed: 3, maxTrainingRecords: 200, unseenFrom: 700);

        Assert.All(split.Train, i => Assert.InRange(i, 0, 699));
        Assert.All(split.Calibration, i => Assert.InRange(i, 700, 999));
        Assert.Equal(Enumerable.Range(700, 300), split.Calibration);
        // Held-out to validation as a whole reference's calibration: 0.4 to 0.15 × 0.6.
        Assert.Equal(55, split.Validation.Length);
        Assert.Equal(245, split.HeldOut.Length);
        Assert.Equal(700, split.Train.Length);
        Assert.Equal(0, split.LeftOut);
        Assert.Equal(split.HeldOut, again.HeldOut);
        Assert.Equal((200, 55, 245, 55), ReferenceSplit.SizesFor(1_000, 0.4, 0.15, 200, unseenFrom: 700));
        Assert.Equal(200, capped.Train.Length);
        Assert.Equal(500, capped.LeftOut);
        Assert.Equal(split.Calibration, capped.Calibration);
    }

    [Fact]
    public void Thresholds_come_from_the_unseen_records()
    {
        // The appended records are noisier than the training sample. The density over the statistics and its threshold
        // are fitted on them alone, so new noisy records are flagged at about the target and clean ones, which no
        // calibration record resembles, mostly are (a random split would have calibrated on both kinds).
        var clean = FashionMnist.Train().Take(900).Images;
        var noisy = Corruptions.AdditiveNoise(FashionMnist.Train().Select(Enumerable.Range(900, 400)).Images);
        var reference = Concatenate(clean, noisy);

        var fingerprint = FingerprintBuilder.Build(Cnn, reference, Small with { UnseenFrom = 900 }, null, CancellationToken.None).Fingerprint;
        using var scorer = new FingerprintScorer(fingerprint);
        var cleanFlagged = scorer.Score(FashionMnist.Test().Take(400).Images).OodCount / 400.0;
        var noisyFlagged = scorer.Score(Corruptions.AdditiveNoise(FashionMnist.Test().Select(Enumerable.Range(400, 400)).Images)).OodCount / 400.0;

        Assert.Equal(900, fingerprint.Manifest.Calibration.UnseenFrom);
        Assert.Equal(400, fingerprint.Manifest.Calibration.HeldOutRecords); // every calibration record, the early-stopping ones included
        Assert.Equal(900, fingerprint.Manifest.Calibration.TrainRecords);
        Assert.InRange(noisyFlagged, 0.01, 0.12);
        Assert.True(cleanFlagged > 0.5, $"clean records flagged {cleanFlagged:P1}");
        Assert.Equal(900, Fingerprint.FromFiles(fingerprint.ToFiles()).Manifest.Calibration.UnseenFrom);
    }

    [Fact]
    public void Too_few_unseen_records_are_refused_naming_the_option_and_a_fingerprint_without_it_says_so()
    {
        var reference = FashionMnist.Train().Take(400).Images;

        var refused = Assert.Throws<FingerprintInputException>(() =>
            FingerprintBuilder.Build(Cnn, reference, Small with { UnseenFrom = 350 }, null, CancellationToken.None));
        var invalid = Assert.Throws<ArgumentOutOfRangeException>(() => (Small with { UnseenFrom = 10 }).Validate());
        var plain = FingerprintBuilder.Build(Cnn, reference, Small, null, CancellationToken.None).Fingerprint;

        Assert.Contains("unseenFrom is 350", refused.Message);
        Assert.Contains("50 are unseen", refused.Message);
        Assert.Equal(nameof(FingerprintOptions.UnseenFrom), invalid.ParamName);
        Assert.Equal(1_260, FingerprintOptions.FromJson("""{"unseenFrom":1260}""").UnseenFrom); // the upload's fingerprint.json name
        Assert.Null(plain.Manifest.Calibration.UnseenFrom);
    }

    private static FloatTensor Concatenate(FloatTensor first, FloatTensor second) =>
        new([.. first.Data, .. second.Data], [first.Records + second.Records, .. first.Shape[1..]]);
}
