using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Activations;
using NeuralFP.Core.Tests.Support;
using NeuralFP.Core.Verdicts;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>A table's marginal surprise as a statistic of the density integrations, through a real build: what the scorer
/// reads, what it sees, the saved artifact, and where it does not apply.</summary>
public sealed class InputMarginalsBuildTests
{
    private static FingerprintOptions Options => new()
    {
        Seed = 3, Autoencoder = new AutoencoderOptions { MaxEpochs = 3, HiddenSize = 8 }, Layers = ["input", "act"], Detectors = [],
        InputMarginalBins = 100, StatisticResponseBar = 0, SelfCheckRecords = 0,
    };

    private static FingerprintBuilder.Outcome Build(FingerprintOptions options) =>
        FingerprintBuilder.Build(SyntheticModels.Relu(4), InputMarginalsTests.Table(900, 1), options, null, CancellationToken.None);

    [Fact]
    public async Task A_tables_build_reads_the_surprise_last_and_scores_a_value_never_seen_as_more_surprising()
    {
        Assert.Equal(800, new FingerprintOptions().InputMarginalBins);
        var fingerprint = Build(Options).Fingerprint;
        var manifest = fingerprint.Manifest;

        Assert.Equal(InputMarginals.Output, manifest.InputMarginalsOutput);
        Assert.Equal(InputMarginals.Output, manifest.InputStatisticOutputs()[^1]);
        var latents = manifest.Layers.Count(l => l.LatentOutput is not null);
        Assert.Equal(manifest.Layers.Count + latents + 3, manifest.Integration!.StatisticCount); // + energy, variation, surprise
        Assert.True(manifest.Integration.Included[^1]);

        var fresh = InputMarginalsTests.Table(200, 2);
        var broken = new FloatTensor((float[])fresh.Data.Clone(), [200, 4]);
        for (var r = 0; r < 200; r++) broken.Data[r * 4 + 1] += 0.5f; // every count off the integers
        using var scorer = new FingerprintScorer(fingerprint);
        var k = scorer.StatisticCount;
        float[] before = new float[200 * k], after = new float[200 * k];
        scorer.ComputeErrors(fresh, before, default, default);
        scorer.ComputeErrors(broken, after, default, default);
        for (var r = 0; r < 200; r++)
            Assert.True(after[r * k + k - 1] > before[r * k + k - 1], $"record {r}: a count of {broken.Data[r * 4 + 1]} is no more surprising than {fresh.Data[r * 4 + 1]}");
        var verdicts = scorer.Score(broken);
        Assert.True(verdicts.OodCount > 190, $"the fingerprint flags {verdicts.OodCount} of 200 records whose counts are no longer whole numbers");

        var loaded = await SavedFingerprint.RoundTripAsync(fingerprint);
        using var again = new FingerprintScorer(loaded);
        Assert.Equal(InputMarginals.Output, loaded.Manifest.InputMarginalsOutput);
        Assert.Equal(verdicts.Scores.ToArray(), again.Score(broken).Scores.ToArray());
    }

    [Fact]
    public void An_explanation_names_the_column_whose_value_no_training_row_had_and_its_terms_add_up_to_the_statistic()
    {
        var fingerprint = Build(Options).Fingerprint;
        var records = InputMarginalsTests.Table(100, 3);
        for (var r = 0; r < 100; r++) records.Data[r * 4 + 1] += 0.5f; // every count off the integers
        using var scorer = new FingerprintScorer(fingerprint);
        var k = scorer.StatisticCount;
        var statistics = new float[100 * k];
        scorer.ComputeErrors(records, statistics, default, default);

        var explanations = scorer.Explainer.Explain(records, scorer.Score(records), topK: 4);

        for (var r = 0; r < 100; r++)
        {
            var columns = explanations[r].Input!.SurprisingColumns!;
            Assert.Equal(4, columns.Count);
            Assert.Equal(1, columns[0].Index);
            Assert.Equal(records.Data[r * 4 + 1], columns[0].Value);
            Assert.Equal(Math.Exp(-columns[0].Surprise), columns[0].Probability, 12);
            Assert.True(columns[0].Surprise >= columns[1].Surprise);
            Assert.Equal(statistics[r * k + k - 1], columns.Sum(c => c.Surprise), 1e-3);
        }
    }

    [Fact]
    public void On_the_panels_second_table_the_response_shifts_keep_the_surprise_beside_the_first_hidden_layers_error()
    {
        // Its counts and yes/no flag take few values; a two-record mixture puts them between those values.
        var model = File.ReadAllBytes(RepoPaths.Model("panel/synthetic_table_mlp.onnx"));
        var outcome = FingerprintBuilder.Build(model, SyntheticTable.Train().Images, new FingerprintOptions { Detectors = [], Seed = 5, StatisticResponseBar = 0.75 }, null, CancellationToken.None);
        var manifest = outcome.Fingerprint.Manifest;
        var integration = manifest.Integration!;

        Assert.Equal(InputMarginals.Output, manifest.InputStatisticOutputs()[^1]);
        Assert.True(outcome.StatisticResponses![^1] >= manifest.Options.StatisticResponseBar, $"the surprise's response {outcome.StatisticResponses[^1]:F2}");
        Assert.True(integration.Included[^1]);
        Assert.Equal(IntegrationKinds.NeighboursPerClass, integration.Kind); // two statistics or more: the density reads them
        Assert.True(integration.Included.Count(i => i) >= 2);
    }

    [Theory]
    [InlineData(IntegrationKinds.NeighboursPerClass, 0, true)]   // turned off
    [InlineData(IntegrationKinds.NeighboursPerClass, 100, false)] // the input not fingerprinted
    [InlineData(IntegrationKinds.Fisher, 100, true)]              // an integration that reads the errors only
    public void Without_the_option_a_fingerprinted_input_or_a_density_the_fingerprint_has_no_marginal_surprise(string integration, int bins, bool inputLayer)
    {
        var options = Options with { Integration = integration, InputMarginalBins = bins, Layers = inputLayer ? ["input", "act"] : ["act"] };

        var manifest = Build(options).Fingerprint.Manifest;

        Assert.Null(manifest.InputMarginalsOutput);
        Assert.DoesNotContain(InputMarginals.Output, manifest.InputStatisticOutputs());
    }

    [Fact]
    public void A_model_older_than_opset_8_gets_no_marginal_surprise_and_the_build_says_why()
    {
        var proto = NeuralFP.Core.Onnx.Proto.ModelProto.Parser.ParseFrom(SyntheticModels.Relu(4));
        proto.OpsetImport.Single(o => o.Domain is "" or "ai.onnx").Version = 7;
        var lines = new List<string>();

        var manifest = FingerprintBuilder.Build(Google.Protobuf.MessageExtensions.ToByteArray(proto), InputMarginalsTests.Table(900, 1), Options, new SynchronousProgress(lines), CancellationToken.None).Fingerprint.Manifest;

        Assert.Null(manifest.InputMarginalsOutput);
        Assert.Contains(lines, l => l.Contains("opset (7)") && l.Contains("marginal surprise"));
    }

    [Fact]
    public void An_image_gets_no_marginal_surprise()
    {
        var random = new Random(4);
        var images = new FloatTensor([.. Enumerable.Range(0, 600 * 64).Select(_ => (float)random.NextDouble())], [600, 1, 8, 8]);
        var fingerprint = FingerprintBuilder.Build(SyntheticModels.Relu(1, 8, 8), images, Options, null, CancellationToken.None).Fingerprint;

        Assert.Null(fingerprint.Manifest.InputMarginalsOutput);
        using var scorer = new FingerprintScorer(fingerprint);
        var some = new FloatTensor(images.Data[..(5 * 64)], [5, 1, 8, 8]);
        Assert.All(scorer.Explainer.Explain(some, scorer.Score(some)), e => Assert.Null(e.Input!.SurprisingColumns));
    }

    [Fact]
    public void Options_out_of_range_are_refused_by_name()
    {
        foreach (var bins in new[] { 1, -1, FingerprintOptions.MaxInputMarginalBins + 1 })
            Assert.Equal(nameof(FingerprintOptions.InputMarginalBins), Assert.Throws<ArgumentOutOfRangeException>(() => (Options with { InputMarginalBins = bins }).Validate()).ParamName);
    }
}
