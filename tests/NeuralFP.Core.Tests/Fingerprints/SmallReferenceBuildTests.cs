using System.Text;
using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>
/// The automatic autoencoder kind on the panel's tabular model (breast cancer, 399 reference rows, about 200 training rows
/// per autoencoder), and fingerprints built before it (every layer an MLP): they load and score as built.
/// </summary>
public sealed class SmallReferenceBuildTests
{
    private static readonly byte[] Model = File.ReadAllBytes(RepoPaths.Model("panel/tabular_mlp.onnx"));

    [Fact]
    public void A_small_reference_gets_pca_on_every_layer_and_the_layers_say_so()
    {
        var fingerprint = FingerprintBuilder.Build(Model, BreastCancer.Train(), new FingerprintOptions { Detectors = [] }, null, CancellationToken.None).Fingerprint;

        Assert.Equal(AutoencoderKind.Auto, fingerprint.Manifest.Options.Autoencoder.Kind);
        Assert.True(fingerprint.Manifest.Calibration.TrainRecords < AutoencoderOptions.MinMlpTrainingRecords);
        Assert.All(fingerprint.Manifest.Layers, l =>
        {
            Assert.Equal("pca", l.AutoencoderKind);
            Assert.Equal(0, l.Epochs);
        });
    }

    [Fact]
    public void A_fingerprint_built_with_mlp_autoencoders_keeps_them_and_scores_the_same_after_loading()
    {
        // Every fingerprint built before the automatic kind was built with the MLP, and its fingerprint.json says so.
        var options = new FingerprintOptions { Detectors = [], Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp }, Seed = 4 };
        var built = FingerprintBuilder.Build(Model, BreastCancer.Train(), options, null, CancellationToken.None).Fingerprint;
        var files = built.ToFiles();
        Assert.Contains("\"kind\": \"mlp\"", Encoding.UTF8.GetString(files[Fingerprint.ManifestFileName]), StringComparison.Ordinal);

        var loaded = Fingerprint.FromFiles(files);
        Assert.Equal(AutoencoderKind.Mlp, loaded.Manifest.Options.Autoencoder.Kind);
        Assert.All(loaded.Manifest.Layers, l => Assert.Equal("mlp", l.AutoencoderKind));
        var records = BreastCancer.Test();
        using var before = new FingerprintScorer(built);
        using var after = new FingerprintScorer(loaded);
        var (beforeScores, beforeFlags) = Scores(before, records);
        var (afterScores, afterFlags) = Scores(after, records);
        Assert.Equal(beforeScores, afterScores);
        Assert.Equal(beforeFlags, afterFlags);
        Assert.Contains(false, afterFlags); // a real verdict, not all flagged
    }

    [Fact]
    public void Options_without_a_kind_mean_auto_and_a_named_kind_is_kept()
    {
        Assert.Equal(AutoencoderKind.Auto, FingerprintOptions.FromJson("{\"targetFpr\":0.05}").Autoencoder.Kind);
        Assert.Equal(AutoencoderKind.Mlp, FingerprintOptions.FromJson("{\"autoencoder\":{\"kind\":\"mlp\"}}").Autoencoder.Kind);
        Assert.Equal(AutoencoderKind.Auto, FingerprintOptions.FromJson("{\"autoencoder\":{\"kind\":\"auto\"}}").Autoencoder.Kind);
    }

    [Fact]
    public void The_build_estimate_counts_the_kind_the_build_will_fit_and_pcas_own_working_set()
    {
        // One 12,000-feature layer. A small reference: PCA through the Gram matrix, well under D² floats. A large one with
        // PCA named: the D×D covariance (576 MB here), which the estimate must count above what the MLP would hold.
        const int Width = 12_000;
        (string, int[], PoolingSpec, bool)[] taps = [("wide", [Width], PoolingSpec.None, true)];
        var small = BuildEstimate.For(1000, taps, records: 1_000, referenceBytesHeld: 0, new FingerprintOptions());
        var mlp = BuildEstimate.For(1000, taps, records: 1_000, referenceBytesHeld: 0, new FingerprintOptions { Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp } });
        var large = BuildEstimate.For(1000, taps, records: 20_000, referenceBytesHeld: 0, new FingerprintOptions { Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Pca } });
        var largeMlp = BuildEstimate.For(1000, taps, records: 20_000, referenceBytesHeld: 0, new FingerprintOptions());
        long covarianceBytes = 4L * Width * Width;

        Assert.True(small.AutoencoderParameters < mlp.AutoencoderParameters, $"PCA {small.AutoencoderParameters} against the MLP's {mlp.AutoencoderParameters} parameters");
        Assert.True(small.BuildMemoryBytes < covarianceBytes / 4, $"small reference: {small.BuildMemoryBytes:N0} bytes");
        Assert.True(large.BuildMemoryBytes - largeMlp.BuildMemoryBytes > covarianceBytes / 2, $"large reference: PCA {large.BuildMemoryBytes:N0} bytes, MLP {largeMlp.BuildMemoryBytes:N0}");
    }

    private static (double[] Scores, bool[] Flags) Scores(FingerprintScorer scorer, FloatTensor records)
    {
        var scores = new double[records.Records];
        var flags = new bool[records.Records];
        scorer.ScoreInto(records, flags, scores);
        return (scores, flags);
    }
}
