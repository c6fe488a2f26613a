using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Metrics;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>
/// Defects found on architectures other than the fixture CNN (issue 8), each on a real panel model
/// (tests/fixtures/models/panel, built by tools/build_panel.py): softmax outputs, non-ReLU pattern layers,
/// the combined detector end to end.
/// </summary>
public sealed class PanelModelDefectTests
{
    private static readonly FingerprintOptions Small = new()
    {
        Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 6, HiddenSize = 32 },
        Seed = 11,
        Detectors = [DetectorNames.MaxSoftmax, DetectorNames.Energy, DetectorNames.Knn, DetectorNames.Mahalanobis, DetectorNames.ActivationPatterns, DetectorNames.Combined],
    };

    private static byte[] Panel(string file) => File.ReadAllBytes(RepoPaths.Fixture($"models/panel/{file}"));

    private static FloatTensor Reference => FashionMnist.Train().Select(Enumerable.Range(50000, 1200)).Images;

    [Fact]
    public void Softmax_output_models_give_energy_and_msp_the_pre_softmax_logits()
    {
        var model = Panel("softmax_cnn.onnx");
        var fingerprint = FingerprintBuilder.Build(model, Reference, Small, null, CancellationToken.None).Fingerprint;
        var records = FashionMnist.Test().Take(200).Images;
        using var scorer = new FingerprintScorer(fingerprint);
        var scores = scorer.ScoreDetectors(records, [DetectorNames.Energy, DetectorNames.MaxSoftmax]);

        Assert.True(fingerprint.Manifest.OutputIsProbability);
        Assert.NotNull(fingerprint.Manifest.DetectorOutputs.Logits);
        var logitsTensor = ModelHead.PreSoftmaxTensor(OnnxModel.Load(model))!;
        using var extractor = new ActivationExtractor(OnnxModel.Load(model), [new LayerSpec(logitsTensor, PoolingSpec.None)]);
        var logits = extractor.Extract(records)[logitsTensor];
        var expected = new double[records.Records];
        new EnergyDetector().Score(new DetectorInputs(logits), expected);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], scores[0].Scores[i], 3);
        // Energy of probabilities would be −log Σ p = 0 for every record: the scores must vary.
        Assert.True(scores[0].Scores.Max() - scores[0].Scores.Min() > 1);
        Assert.True(scores[1].Scores.Distinct().Count() > 100);
    }

    [Fact]
    public void Log_softmax_output_models_give_energy_the_logits_before_it()
    {
        // A held-out architecture (tools/build_holdout.py): its output is LogSoftmax, whose log-sum-exp is 0 for every record.
        var model = File.ReadAllBytes(RepoPaths.Fixture("models/holdout/logsoftmax_cnn.onnx"));
        var fingerprint = FingerprintBuilder.Build(model, Reference, Small with { Detectors = [DetectorNames.Energy, DetectorNames.MaxSoftmax] }, null, CancellationToken.None).Fingerprint;
        var records = FashionMnist.Test().Take(200).Images;
        using var scorer = new FingerprintScorer(fingerprint);
        var scores = scorer.ScoreDetectors(records, [DetectorNames.Energy, DetectorNames.MaxSoftmax]);
        var verdicts = scorer.Score(records);

        Assert.False(fingerprint.Manifest.OutputIsProbability);
        var logitsTensor = ModelHead.PreSoftmaxTensor(OnnxModel.Load(model))!;
        Assert.NotNull(fingerprint.Manifest.DetectorOutputs.Logits); // the fused graph exposes it as its own output
        using var extractor = new ActivationExtractor(OnnxModel.Load(model), [new LayerSpec(logitsTensor, PoolingSpec.None)]);
        var extracted = extractor.Extract(records);
        var logits = extracted[logitsTensor];
        var expected = new double[records.Records];
        new EnergyDetector().Score(new DetectorInputs(logits), expected);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], scores[0].Scores[i], 3);
        Assert.True(scores[0].Scores.Max() - scores[0].Scores.Min() > 1);
        // The verdict's probability is the softmax of the log-probabilities: the model's own probability.
        for (var i = 0; i < 20; i++)
            Assert.Equal(MathF.Exp(extracted.Outputs.Record(i)[verdicts[i].PredictedClass]), verdicts[i].MaxProbability, 4);
    }

    [Fact]
    public void Log_probabilities_stand_in_for_logits_when_the_graph_has_none()
    {
        var probabilities = new FloatTensor([0.7f, 0.2f, 0.1f, 0.4f, 0.4f, 0.2f], [2, 3]);

        var logits = ModelHead.Logits(probabilities, preSoftmax: null, outputIsProbability: true);
        var msp = new double[2];
        new MaxSoftmaxDetector().Score(new DetectorInputs(logits), msp);

        Assert.Equal(-0.7, msp[0], 5);
        Assert.Equal(-0.4, msp[1], 5);
    }

    [Fact]
    public void Activation_patterns_binarise_a_global_average_pool_head_at_unit_medians_and_still_separate_noise()
    {
        var fingerprint = FingerprintBuilder.Build(Panel("bn_gap_cnn.onnx"), Reference, Small, null, CancellationToken.None).Fingerprint;
        var monitor = (ActivationPatternMonitor)fingerprint.Detectors[DetectorNames.ActivationPatterns].Detector;
        using var scorer = new FingerprintScorer(fingerprint);
        var test = scorer.ScoreDetectors(FashionMnist.Test().Take(400).Images, [DetectorNames.ActivationPatterns])[0];
        var noise = scorer.ScoreDetectors(OodSets.UniformNoise(400), [DetectorNames.ActivationPatterns])[0];

        Assert.True(monitor.UsesUnitMedians);
        Assert.Contains("median", monitor.Description);
        Assert.InRange(test.Ood.Count(f => f) / 400.0, 0.01, 0.12); // was 0.1%: every pattern all-ones
        Assert.True(OodMetrics.Compute(test.Scores, noise.Scores).Auroc > 0.7);
    }

    [Fact]
    public void The_combined_detector_is_fitted_on_held_out_data_scores_over_http_names_and_survives_a_round_trip()
    {
        var fingerprint = FingerprintBuilder.Build(Panel("bn_gap_cnn_folded.onnx"), Reference, Small, null, CancellationToken.None).Fingerprint;
        var combined = fingerprint.Detectors[DetectorNames.Combined];
        var restored = Fingerprint.FromFiles(fingerprint.ToFiles());
        var test = FashionMnist.Test().Take(300).Images;
        var noise = OodSets.GaussianNoise(300);

        using var scorer = new FingerprintScorer(fingerprint);
        using var restoredScorer = new FingerprintScorer(restored);
        var id = scorer.ScoreDetectors(test, [DetectorNames.Combined])[0];
        var ood = scorer.ScoreDetectors(noise, [DetectorNames.Combined])[0];
        var again = restoredScorer.ScoreDetectors(test, [DetectorNames.Combined])[0];

        Assert.Equal(["fingerprint", DetectorNames.Knn, DetectorNames.Energy, DetectorNames.Mahalanobis], ((CombinedDetector)combined.Detector).Members);
        Assert.Equal(CombinedDetector.WeightedMinPRule, ((CombinedDetector)combined.Detector).Rule);
        Assert.Equal(0.9, ((CombinedDetector)combined.Detector).FingerprintShare);
        Assert.Equal(CombinedDetector.WeightedMinPRule, ((CombinedDetector)restored.Detectors[DetectorNames.Combined].Detector).Rule);
        Assert.Equal(0.9, ((CombinedDetector)restored.Detectors[DetectorNames.Combined].Detector).FingerprintShare);
        Assert.InRange(combined.RealisedFpr, 0.03, 0.05);
        Assert.Equal(id.Scores, again.Scores);
        Assert.True(OodMetrics.Compute(id.Scores, ood.Scores).Auroc > 0.95);
        Assert.InRange(id.Ood.Count(f => f) / 300.0, 0.0, 0.12);
    }

    [Fact]
    public void The_default_fingerprint_uses_the_per_class_neighbour_integration_with_the_input_layer_and_records_it()
    {
        var fingerprint = FingerprintBuilder.Build(Panel("bn_gap_cnn_folded.onnx"), Reference, Small with { Detectors = [] }, null, CancellationToken.None).Fingerprint;
        var manifest = Fingerprint.FromFiles(fingerprint.ToFiles()).Manifest;

        Assert.Contains(manifest.Layers, l => l.Name == manifest.InputName);
        Assert.Equal("neighbours-per-class", manifest.Integration!.Kind);
        // The calibration records' whitened statistics, each with its predicted class (all ten occur among them).
        Assert.Equal(manifest.Calibration.HeldOutRecords, manifest.Integration.NeighbourClasses!.Length);
        Assert.Equal(10, manifest.Integration.NeighbourClasses.Max() + 1);
        Assert.Equal(manifest.Calibration.HeldOutRecords * manifest.Integration.LogMean!.Length, manifest.Integration.NeighbourBank!.Length);
        Assert.InRange(manifest.Calibration.RealisedFpr, 0.04, 0.05);
        Assert.Equal(manifest.Calibration.HeldOutRecords, manifest.Integration.SortedHeldOutScores.Length);
    }

    [Fact]
    public void A_recurrent_model_offers_its_hidden_states_pooled_over_time_as_a_layer()
    {
        var model = Panel("gru.onnx");
        var sequence = Assert.Single(OnnxModel.Load(model).Layers, l => l.Role == LayerRole.Sequence);
        Assert.Equal([28, 64], sequence.Shape!);

        // The old options (one mean over time): what fingerprints built before segment pooling store.
        var fingerprint = FingerprintBuilder.Build(model, Reference, Small with { Detectors = [], SequencePooling = "time" }, null, CancellationToken.None).Fingerprint;
        var layer = Assert.Single(fingerprint.Manifest.Layers, l => l.Name == sequence.Name);

        Assert.Equal("time", layer.Pooling);
        Assert.Equal(64, layer.Features);
        // The fused graph's time mean (Transpose + MatMul) matches the C# pooling the autoencoder trained on.
        Assert.True(fingerprint.Manifest.Fusion.MaxRelativeDeviation < FusionCheck.Tolerance, $"{fingerprint.Manifest.Fusion}");
        var hidden = new float[28 * 64];
        for (var i = 0; i < hidden.Length; i++) hidden[i] = i % 64 + (i / 64) * 0.5f;
        var pooled = new float[64];
        PoolingSpec.Time.Pool(hidden, [28, 64], pooled);
        Assert.Equal(3 + 0.5f * 13.5f, pooled[3], 3); // unit 3: mean over t of 3 + t/2
    }

    [Fact]
    public void Old_time_mean_fingerprints_load_and_score_as_built()
    {
        var built = FingerprintBuilder.Build(Panel("gru.onnx"), Reference, Small with { Detectors = [], SequencePooling = "time" }, null, CancellationToken.None).Fingerprint;
        var loaded = Fingerprint.FromFiles(built.ToFiles());
        var records = FashionMnist.Test().Take(120).Images;
        using var before = new FingerprintScorer(built);
        using var after = new FingerprintScorer(loaded);

        bool[] expectedOod = new bool[records.Records], actualOod = new bool[records.Records];
        double[] expected = new double[records.Records], actual = new double[records.Records];
        before.ScoreInto(records, expectedOod, expected);
        after.ScoreInto(records, actualOod, actual);

        Assert.Contains(loaded.Manifest.Layers, l => l.Pooling == "time" && l.Features == 64);
        Assert.Equal(expected, actual);
        Assert.Equal(expectedOod, actualOod);
        Assert.True(expected.Distinct().Count() > 100);
    }

    [Fact]
    public void Transformer_blocks_pooled_into_time_segments_are_layers_and_the_fused_graph_matches_the_extractor()
    {
        var model = Panel("transformer.onnx");

        var fingerprint = FingerprintBuilder.Build(model, Reference, Small with { Detectors = [], SequencePooling = "time4" }, null, CancellationToken.None).Fingerprint;
        var manifest = Fingerprint.FromFiles(fingerprint.ToFiles()).Manifest;

        var blocks = manifest.Layers.Where(l => l.Pooling == "time4").ToArray();
        Assert.Equal(["/blocks/blocks.0/Add_1_output_0", "/blocks/blocks.1/Add_1_output_0"], blocks.Select(l => l.Name));
        Assert.All(blocks, l => Assert.Equal(32 * 4, l.Features));
        // The fusion check compares the scorer graph's errors (its Transpose + segment MatMul) with the C# pooling the
        // autoencoders trained on, on held-out records.
        Assert.True(manifest.Fusion.MaxRelativeDeviation < FusionCheck.Tolerance, $"{manifest.Fusion}");
        Assert.InRange(manifest.Calibration.RealisedFpr, 0.03, 0.07);
    }

    [Fact]
    public void A_sequence_shorter_than_the_segment_count_gets_one_segment_per_step()
    {
        var fingerprint = FingerprintBuilder.Build(Panel("gru.onnx"), Reference, Small with { Detectors = [], SequencePooling = "time40" }, null, CancellationToken.None).Fingerprint;

        Assert.Contains(fingerprint.Manifest.Layers, l => l.Pooling == "time28" && l.Features == 28 * 64);
    }
}
