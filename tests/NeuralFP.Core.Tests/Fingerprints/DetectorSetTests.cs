using NeuralFP.Core.Activations;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Onnx;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>The other detectors ride along in the artifact and score from the fused graph's single run.</summary>
public sealed class DetectorSetTests(SmallCnnFingerprint cnn) : IClassFixture<SmallCnnFingerprint>
{
    [Fact]
    public void Every_detector_is_fitted_calibrated_and_summarised_in_the_manifest()
    {
        Assert.Equal(DetectorNames.All, cnn.Fingerprint.Detectors.Names);
        Assert.Equal(DetectorNames.All, cnn.Fingerprint.Manifest.Detectors.Select(d => d.Name));
        Assert.All(cnn.Fingerprint.Manifest.Detectors, d => Assert.InRange(d.RealisedFpr, 0.02, 0.08));
        Assert.True(cnn.Fingerprint.Manifest.Detectors.Single(d => d.Name == DetectorNames.Knn).KeepsReferenceData);
        Assert.Equal(1, cnn.Fingerprint.Manifest.Detectors.Count(d => d.KeepsReferenceData));
    }

    [Fact]
    public void Each_detector_says_where_its_rate_on_new_data_lies_given_the_records_that_set_its_threshold()
    {
        foreach (var summary in cnn.Fingerprint.Manifest.Detectors)
        {
            var calibration = cnn.Fingerprint.Detectors[summary.Name].Calibration;
            var interval = Assert.IsType<Core.Metrics.FprInterval>(summary.NewDataFpr);
            Assert.Equal(Core.Metrics.FprInterval.Of(calibration.SampleSize, (int)Math.Round(calibration.RealisedFpr * calibration.SampleSize)), interval);
            Assert.InRange(summary.RealisedFpr, interval.Low, interval.High);
            Assert.InRange(interval.High - interval.Low, 0.001, 0.2);
        }
    }

    [Fact]
    public void The_new_data_intervals_round_trip_and_fingerprints_built_before_them_load_without_one()
    {
        var files = cnn.Fingerprint.ToFiles().ToDictionary(f => f.Key, f => f.Value);
        Assert.Equal(cnn.Fingerprint.Manifest.Detectors.Select(d => d.NewDataFpr), Fingerprint.FromFiles(files).Manifest.Detectors.Select(d => d.NewDataFpr));

        var json = System.Text.Json.Nodes.JsonNode.Parse(files[Fingerprint.ManifestFileName])!;
        foreach (var detector in json["detectors"]!.AsArray())
            Assert.True(detector!.AsObject().Remove("newDataFpr"), "fingerprint.json names no newDataFpr for a detector.");
        files[Fingerprint.ManifestFileName] = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
        var old = Fingerprint.FromFiles(files);
        Assert.All(old.Manifest.Detectors, d => Assert.Null(d.NewDataFpr));
        Assert.Equal(cnn.Fingerprint.Manifest.Detectors.Select(d => d.RealisedFpr), old.Manifest.Detectors.Select(d => d.RealisedFpr));
    }

    [Fact]
    public void Dice_computed_inside_the_fused_graph_equals_dice_on_the_penultimate_features()
    {
        var records = FashionMnist.Test().Take(100).Images;
        using var scorer = new FingerprintScorer(cnn.Fingerprint);
        var fromGraph = scorer.ScoreDetectors(records, [DetectorNames.Dice])[0].Scores;

        var dice = cnn.Fingerprint.Detectors[DetectorNames.Dice].Detector;
        var head = LinearHeadReader.Read(cnn.ModelBytes);
        using var extractor = new ActivationExtractor(OnnxModel.Load(cnn.ModelBytes), [new LayerSpec(head.PenultimateTensor, PoolingSpec.None)]);
        var activations = extractor.Extract(records);
        var direct = new double[records.Records];
        dice.Score(DetectorInputs.FromActivations(activations, head.PenultimateTensor), direct);

        for (var i = 0; i < direct.Length; i++) Assert.Equal(direct[i], fromGraph[i], 3);
    }

    [Fact]
    public void Noise_scores_higher_than_test_images_for_the_feature_space_detectors()
    {
        using var scorer = new FingerprintScorer(cnn.Fingerprint);
        var test = scorer.ScoreDetectors(FashionMnist.Test().Take(300).Images, [DetectorNames.Knn, DetectorNames.Mahalanobis]);
        var noise = scorer.ScoreDetectors(OodSets.UniformNoise(300), [DetectorNames.Knn, DetectorNames.Mahalanobis]);

        for (var d = 0; d < test.Count; d++)
            Assert.True(noise[d].Scores.Average() > test[d].Scores.Max() * 0.5 && noise[d].Ood.Count(f => f) > 250, $"{test[d].Detector} does not separate noise");
    }

    [Fact]
    public void The_detector_set_round_trips_through_the_artifact_files()
    {
        var files = cnn.Fingerprint.ToFiles();
        Assert.Contains(DetectorSet.FileName, files.Keys);
        var loaded = Fingerprint.FromFiles(files);
        var records = FashionMnist.Test().Take(50).Images;
        using var original = new FingerprintScorer(cnn.Fingerprint);
        using var reloaded = new FingerprintScorer(loaded);

        var before = original.ScoreDetectors(records);
        var after = reloaded.ScoreDetectors(records);
        for (var d = 0; d < before.Count; d++) Assert.Equal(before[d].Scores, after[d].Scores);
    }

    [Fact]
    public async Task A_loaded_folder_scores_without_reading_detectors_json_and_a_broken_one_fails_clearly_on_first_use()
    {
        var directory = Directory.CreateTempSubdirectory("nfp-detectors-").FullName;
        try
        {
            await cnn.Fingerprint.SaveAsync(directory);
            await File.WriteAllTextAsync(Path.Combine(directory, DetectorSet.FileName), "{ not json");
            var loaded = await Fingerprint.LoadAsync(directory);
            using var scorer = new FingerprintScorer(loaded);
            var records = FashionMnist.Test().Take(20).Images;

            using var original = new FingerprintScorer(cnn.Fingerprint);
            Assert.Equal(original.Score(records).Ood.ToArray(), scorer.Score(records).Ood.ToArray());
            var error = Assert.Throws<InvalidDataException>(() => loaded.Detectors);
            Assert.Contains(DetectorSet.FileName, error.Message);
            // The service's loader (FromFiles) still reads every file at once and refuses the artifact.
            var files = Directory.GetFiles(directory).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
            Assert.Throws<InvalidDataException>(() => Fingerprint.FromFiles(files));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void An_unknown_detector_names_the_available_ones()
    {
        using var scorer = new FingerprintScorer(cnn.Fingerprint);
        var error = Assert.Throws<KeyNotFoundException>(() => scorer.ScoreDetectors(FashionMnist.Test().Take(2).Images, ["odin"]));
        Assert.Contains(DetectorNames.Knn, error.Message);
    }
}
