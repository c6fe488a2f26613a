using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Metrics;
using NeuralFP.Core.Shifts;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;
using NeuralFP.Core.Verdicts;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>The build's self-check through real builds: what it reports on the CNN fixture, that a shifted record is scored
/// as the scoring path scores it (an integration or the one-out rule), when it is left out, tables, and the warning for a
/// fingerprint that cannot see a shift.</summary>
public sealed class SelfCheckBuildTests(SmallCnnFingerprint cnn) : IClassFixture<SmallCnnFingerprint>
{
    [Fact]
    public async Task The_cnn_fingerprint_reports_each_image_shift_and_keeps_the_report_in_its_artifact()
    {
        var check = cnn.Fingerprint.Manifest.SelfCheck!;
        Assert.Equal(256, new FingerprintOptions().SelfCheckRecords);
        Assert.Equal(Math.Min(256, cnn.Fingerprint.Manifest.Calibration.HeldOutRecords), check.Records);
        Assert.Equal(["blur", "low contrast", "occlusion", "additive noise"], check.Shifts.Select(s => s.Shift));
        Assert.All(check.Shifts, s => Assert.InRange(s.Auroc, 0, 1));
        // Noise half the pixels' spread is far outside what the CNN fixture's fingerprint has seen.
        var noise = check.Shifts.Single(s => s.Shift == "additive noise");
        Assert.True(noise.Auroc > 0.95, $"additive noise AUROC {noise.Auroc}");
        Assert.True(noise.Flagged > 0.5, $"additive noise flagged {noise.Flagged}");
        Assert.Contains("σ = 1.5 px", check.Shifts[0].Description, StringComparison.Ordinal);
        Assert.Empty(check.Weak());
        // The detectors beside it, on the shifted records that are held-out ones (the others are in their fit set), best first.
        Assert.InRange(check.DetectorRecords, 1, check.Records - 1);
        var others = cnn.Fingerprint.Detectors.Names.Order(StringComparer.Ordinal).ToArray();
        Assert.Contains(DetectorNames.Combined, others);
        Assert.All(check.Shifts, s =>
        {
            Assert.Equal(others, s.Detectors!.Select(d => d.Detector).Order(StringComparer.Ordinal));
            Assert.Equal(s.Detectors!.Select(d => d.Auroc).OrderDescending(), s.Detectors!.Select(d => d.Auroc));
        });

        var loaded = await SavedFingerprint.RoundTripAsync(cnn.Fingerprint);
        Assert.Equivalent(check, loaded.Manifest.SelfCheck, strict: true);
    }

    [Theory]
    [InlineData(IntegrationKinds.GaussianPerClass)]
    [InlineData(IntegrationKinds.OneOut)]
    public void A_shifted_record_is_scored_and_flagged_as_the_scoring_path_does(string integrationKind)
    {
        // Under a Gaussian integration (and the one-out rule) a calibration record's copy is scored by the same fit the
        // scoring path uses, so the self-check's blur figures must be exactly those of the blurred records scored by
        // FingerprintScorer. Every calibration record is sampled, so each batch's copies take one run per shift.
        var options = SmallCnnFingerprint.Options with { Integration = integrationKind, Detectors = [], SelfCheckRecords = FingerprintOptions.MaxSelfCheckRecords, BatchSize = 64 };
        var outcome = FingerprintBuilder.Build(cnn.ModelBytes, cnn.Reference, options, null, CancellationToken.None);
        var fingerprint = outcome.Fingerprint;
        var rule = fingerprint.Manifest.Rule;
        // The calibration records' own scores: the integration's as calibrated, or the one-out rule's.
        var own = fingerprint.Manifest.Integration?.HeldOutScoresInRecordOrder
            ?? [.. Enumerable.Range(0, outcome.CalibrationErrors![0].Length).Select(r => rule.Score([.. Enumerable.Range(0, rule.Layers.Count).Select(l => outcome.CalibrationErrors[l][r])]))];

        var calibration = ReferenceSplit.Create(cnn.Reference.Records, options.HeldOutFraction, options.ValidationFraction, options.Seed, options.MaxTrainingRecords).Calibration;
        var sampled = calibration;
        Assert.Equal(calibration.Length, fingerprint.Manifest.SelfCheck!.Records);
        var length = cnn.Reference.RecordLength;
        var records = new float[sampled.Length * length];
        for (var i = 0; i < sampled.Length; i++) cnn.Reference.Record(sampled[i]).CopyTo(records.AsSpan(i * length, length));
        using var scorer = new FingerprintScorer(fingerprint);
        var verdicts = scorer.Score(Corruptions.Blur(new FloatTensor(records, [sampled.Length, .. cnn.Reference.RecordShape])));

        var blur = fingerprint.Manifest.SelfCheck!.Shifts.Single(s => s.Shift == "blur");
        Assert.Equal((double)verdicts.OodCount / sampled.Length, blur.Flagged);
        Assert.Equal(OodMetrics.Compute(own, verdicts.Scores).Auroc, blur.Auroc, 12);
        // Each layer's error alone, blurred copies against the calibration records, read the way blur moves it.
        Assert.InRange(blur.Statistics!.Count, 1, SelfCheckSummary.StatisticsKept);
        Assert.Equal(blur.Statistics.OrderByDescending(s => s.Auroc).Select(s => s.Statistic), blur.Statistics.Select(s => s.Statistic));
        // A layer's error goes by the layer's name, as the integration knows it.
        var layerErrors = blur.Statistics.Where(s => rule.Layers.Contains(s.Statistic)).ToArray();
        Assert.NotEmpty(layerErrors);
        foreach (var statistic in layerErrors)
        {
            var layer = rule.Layers.ToList().IndexOf(statistic.Statistic);
            var shifted = Enumerable.Range(0, sampled.Length).Select(r => (double)verdicts.Errors(r)[layer]).ToArray();
            var alone = OodMetrics.Compute([.. outcome.CalibrationErrors![layer].Select(e => (double)e)], shifted).Auroc;
            Assert.Equal(statistic.Lower ? 1 - alone : alone, statistic.Auroc, 12);
        }
    }

    [Fact]
    public void A_detectors_shifted_records_are_scored_and_flagged_as_its_scoring_path_does()
    {
        // Every calibration record is sampled, so the detectors' rows are every held-out record, in order. The combined
        // detector reads the fingerprint's scores, which a Gaussian integration gives the copies as the scoring path does.
        var options = SmallCnnFingerprint.Options with
        {
            Integration = IntegrationKinds.GaussianPerClass, Detectors = [DetectorNames.Knn, DetectorNames.Energy, DetectorNames.Combined],
            CombinedMembers = [DetectorNames.Knn, DetectorNames.Energy], SelfCheckRecords = FingerprintOptions.MaxSelfCheckRecords, BatchSize = 64,
        };
        var fingerprint = FingerprintBuilder.Build(cnn.ModelBytes, cnn.Reference, options, null, CancellationToken.None).Fingerprint;
        var heldOut = ReferenceSplit.Create(cnn.Reference.Records, options.HeldOutFraction, options.ValidationFraction, options.Seed, options.MaxTrainingRecords).HeldOut;
        Assert.Equal(heldOut.Length, fingerprint.Manifest.SelfCheck!.DetectorRecords);
        var length = cnn.Reference.RecordLength;
        var records = new float[heldOut.Length * length];
        for (var i = 0; i < heldOut.Length; i++) cnn.Reference.Record(heldOut[i]).CopyTo(records.AsSpan(i * length, length));
        using var scorer = new FingerprintScorer(fingerprint);
        var blurred = Corruptions.Blur(new FloatTensor(records, [heldOut.Length, .. cnn.Reference.RecordShape]));

        var reported = fingerprint.Manifest.SelfCheck.Shifts.Single(s => s.Shift == "blur").Detectors!;
        Assert.Equal([DetectorNames.Combined, DetectorNames.Energy, DetectorNames.Knn], reported.Select(d => d.Detector).Order(StringComparer.Ordinal));
        var combined = (CombinedDetector)fingerprint.Detectors[DetectorNames.Combined].Detector;
        foreach (var scores in scorer.ScoreDetectors(blurred))
        {
            var detector = reported.Single(d => d.Detector == scores.Detector);
            Assert.Equal((double)scores.Ood.Count(o => o) / heldOut.Length, detector.Flagged);
            var own = scores.Detector == DetectorNames.Combined ? combined.CalibrationScores : fingerprint.Detectors.HeldOutScores[scores.Detector];
            Assert.Equal(OodMetrics.Compute(own, scores.Scores).Auroc, detector.Auroc, 12);
        }
    }

    [Fact]
    public void No_self_check_when_none_is_asked_for_and_options_out_of_range_are_refused()
    {
        var options = new FingerprintOptions { Seed = 3, Autoencoder = new AutoencoderOptions { MaxEpochs = 2, HiddenSize = 8 }, Layers = ["input", "act"], Detectors = [] };
        Assert.Null(Build(SyntheticModels.Relu(1, 8, 8), Uniform(600, 1, 8, 8), options with { SelfCheckRecords = 0 }).Manifest.SelfCheck);
        Assert.Throws<ArgumentOutOfRangeException>(() => (options with { SelfCheckRecords = FingerprintOptions.MaxSelfCheckRecords + 1 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (options with { SelfCheckRecords = -1 }).Validate());
    }

    [Fact]
    public void Records_without_an_image_get_feature_noise_and_every_calibration_record_when_there_are_fewer()
    {
        var options = new FingerprintOptions { Seed = 3, Layers = ["input", "act"], Detectors = [] };
        var fingerprint = Build(SyntheticModels.Relu(12), Uniform(300, 12), options);
        var check = fingerprint.Manifest.SelfCheck!;
        Assert.Equal("feature noise", Assert.Single(check.Shifts).Shift);
        Assert.Equal(fingerprint.Manifest.Calibration.HeldOutRecords, check.Records);
        Assert.True(check.Records < 256);
    }

    [Theory]
    [InlineData(1, 8, 8)]
    [InlineData(12)]
    public void Response_shifts_measure_every_statistic_and_change_nothing_the_self_check_reports(params int[] recordShape)
    {
        // Each statistic's response to shifts of other kinds than the self-check's (here measured with nothing reading it, as
        // the panel benchmark's NFP_PANEL_SELECTION does).
        var options = new FingerprintOptions { Seed = 3, Autoencoder = new AutoencoderOptions { MaxEpochs = 2, HiddenSize = 8 }, Layers = ["input", "act"], Detectors = [], StatisticResponseBar = 0 };
        var model = recordShape.Length == 1 ? SyntheticModels.Relu(12) : SyntheticModels.Relu(1, 8, 8);
        var records = Uniform(400, recordShape);
        var plain = FingerprintBuilder.Build(model, records, options, null, CancellationToken.None);
        var measured = FingerprintBuilder.Build(model, records, options with { MeasureResponses = true }, null, CancellationToken.None);

        Assert.Null(plain.StatisticResponses);
        var responses = measured.StatisticResponses!;
        Assert.Equal(measured.CalibrationErrors.Count, responses.Length);
        Assert.All(responses, r => Assert.InRange(r, 0.5, 1));
        Assert.Equivalent(plain.Fingerprint.Manifest.SelfCheck, measured.Fingerprint.Manifest.SelfCheck, strict: true);
        Assert.Equal(plain.Fingerprint.ScorerOnnx, measured.Fingerprint.ScorerOnnx);
    }

    [Fact]
    public void A_fingerprint_blind_to_a_shift_says_so()
    {
        // The model sees only each row's mean, which a blur along the rows keeps and a blur down the columns barely moves.
        var lines = new List<string>();
        var options = new FingerprintOptions
        {
            Seed = 3, Autoencoder = new AutoencoderOptions { MaxEpochs = 2, HiddenSize = 8 }, Layers = ["rows"], Detectors = [],
            InputComplexity = false,
        };
        var fingerprint = FingerprintBuilder.Build(SyntheticModels.RowMeans(28, 28), Uniform(1200, 1, 28, 28), options, new SynchronousProgress(lines), CancellationToken.None).Fingerprint;
        var blur = fingerprint.Manifest.SelfCheck!.Shifts.Single(s => s.Shift == "blur");
        Assert.True(blur.Auroc < SelfCheckSummary.WeakAuroc, $"blur AUROC {blur.Auroc}");
        Assert.Contains(blur, fingerprint.Manifest.SelfCheck.Weak());
        Assert.Single(lines, l => l.StartsWith("The fingerprint sees blur weakly on this model", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("The fingerprint's self-check on ", StringComparison.Ordinal));
    }

    private static Fingerprint Build(byte[] model, FloatTensor records, FingerprintOptions options) =>
        FingerprintBuilder.Build(model, records, options, null, CancellationToken.None).Fingerprint;

    private static FloatTensor Uniform(int n, params int[] recordShape)
    {
        var random = new Random(n);
        var length = recordShape.Aggregate(1, (a, b) => a * b);
        var values = new float[n * length];
        for (var i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble();
        return new FloatTensor(values, [n, .. recordShape]);
    }
}
