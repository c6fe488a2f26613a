using System.Text.Json;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Cli.Tests;

/// <summary>The offline workflow end to end: layers, fingerprint, score, match, evaluate, on real files.</summary>
public sealed class CliWorkflowTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nfp-cli-").FullName;
    private string Path(string name) => System.IO.Path.Combine(_directory, name);

    public async Task InitializeAsync()
    {
        await WriteNpy("reference.npy", FashionMnist.Train().Take(800).Images);
        await WriteNpy("test.npy", FashionMnist.Test().Take(300).Images);
        await WriteNpy("noise.npy", OodSets.UniformNoise(300));
        await File.WriteAllTextAsync(Path("options.json"), "{}");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    private async Task WriteNpy(string name, FloatTensor tensor) => await File.WriteAllBytesAsync(Path(name), Npy.ToBytes(tensor));

    [Fact]
    public async Task Layers_lists_the_auto_choice_as_json()
    {
        var result = await NfpProcess.RunAsync("layers", RepoPaths.Model("fmnist_cnn.onnx"), "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var auto = json.RootElement.GetProperty("auto").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Contains("input", auto);
        Assert.Contains("logits", auto);
    }

    [Fact]
    public async Task Latent_statistic_and_input_complexity_false_and_no_regional_grid_build_a_fingerprint_of_the_errors_alone()
    {
        var fingerprint = Path("errors-only");
        var built = await NfpProcess.RunAsync("fingerprint", "--model", RepoPaths.Model("fmnist_mlp.onnx"), "--reference", Path("reference.npy"), "--out", fingerprint,
            "--hidden", "16", "--detectors", "none", "--latent-statistic", "false", "--input-complexity", "false", "--input-regional-grid", "0", "--error-weight-floor", "0", "--input-marginal-bins", "0", "--json");
        Assert.True(built.ExitCode == 0, built.Stderr);
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(System.IO.Path.Combine(fingerprint, "fingerprint.json")));
        var root = manifest.RootElement;

        Assert.False(root.GetProperty("options").GetProperty("latentStatistic").GetBoolean());
        Assert.False(root.GetProperty("options").GetProperty("inputComplexity").GetBoolean());
        Assert.True(!root.TryGetProperty("inputComplexityOutputs", out var measures) || measures.ValueKind == JsonValueKind.Null);
        Assert.Equal(0, root.GetProperty("options").GetProperty("inputRegionalGrid").GetInt32());
        Assert.Equal(0, root.GetProperty("options").GetProperty("errorWeightFloor").GetDouble());
        Assert.Equal(0, root.GetProperty("options").GetProperty("inputMarginalBins").GetInt32());
        Assert.True(!root.TryGetProperty("inputRegionalErrorOutput", out var regional) || regional.ValueKind == JsonValueKind.Null);
        Assert.All(root.GetProperty("layers").EnumerateArray(), l => Assert.True(!l.TryGetProperty("latentOutput", out var o) || o.ValueKind == JsonValueKind.Null));
        Assert.Equal(root.GetProperty("layers").GetArrayLength(), root.GetProperty("integration").GetProperty("included").GetArrayLength());
    }

    [Fact]
    public async Task Fingerprint_then_score_match_and_evaluate_work_on_files()
    {
        var fingerprint = Path("cnn");
        var built = await NfpProcess.RunAsync("fingerprint", "--model", RepoPaths.Model("fmnist_cnn.onnx"), "--reference", Path("reference.npy"), "--out", fingerprint, "--seed", "3",
            "--include-input", "true", "--hidden", "64", "--bottleneck", "0.2", "--detectors", "knn,energy,combined", "--json");
        Assert.True(built.ExitCode == 0, built.Stderr);
        Assert.Contains("Layer input", built.Stderr); // progress goes to stderr; --include-input taps the input
        using (var summary = JsonDocument.Parse(built.Stdout))
        {
            // The summary says how verdicts are made: the integration and what it leaves out, each with why.
            var integration = summary.RootElement.GetProperty("integration");
            Assert.Equal("neighbours-per-class", integration.GetProperty("kind").GetString());
            Assert.All(integration.GetProperty("leftOut").EnumerateArray(), e => Assert.False(string.IsNullOrEmpty(e.GetProperty("reason").GetString())));
            // And its detectors as the model view has them: the names, and each one's interval on new data.
            Assert.Equal(["knn", "energy", "combined"], summary.RootElement.GetProperty("detectors").EnumerateArray().Select(d => d.GetString()));
            Assert.All(summary.RootElement.GetProperty("detectorSummaries").EnumerateArray(),
                d => Assert.True(d.GetProperty("newDataFpr").GetProperty("calibrationRecords").GetInt32() > 0, d.ToString()));
        }
        using (var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(System.IO.Path.Combine(fingerprint, "fingerprint.json"))))
        {
            Assert.Equal("neighbours-per-class", manifest.RootElement.GetProperty("integration").GetProperty("kind").GetString());
            Assert.Equal(2, manifest.RootElement.GetProperty("integration").GetProperty("neighbours").GetInt32()); // the default k (NeighbourDensity.DefaultNeighbours, internal to Core)
            Assert.Equal(JsonValueKind.String, manifest.RootElement.GetProperty("integration").GetProperty("neighbourBank").ValueKind); // packed
            Assert.Equal(64, manifest.RootElement.GetProperty("options").GetProperty("autoencoder").GetProperty("hiddenSize").GetInt32());
            Assert.Equal(["knn", "energy", "combined"], manifest.RootElement.GetProperty("detectors").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
            // The default combined rule is the weighted Bonferroni of the calibrated members (fingerprint 0.9 of the budget);
            // its partners are the default ones the list holds (k-NN and energy here: Mahalanobis was not asked for).
            Assert.StartsWith("most alarmed of fingerprint + knn + energy: conformal p-values against their held-out in-distribution scores, weighted Bonferroni (fingerprint 0.9 of the false-positive budget",
                manifest.RootElement.GetProperty("detectors")[2].GetProperty("description").GetString());
            // The default (per-class) Gaussian integration reads every layer's latent distance beside its error.
            Assert.All(manifest.RootElement.GetProperty("layers").EnumerateArray(), l => Assert.StartsWith("nfp_latent_", l.GetProperty("latentOutput").GetString()));
        }
        Assert.True(File.Exists(System.IO.Path.Combine(fingerprint, "scorer.onnx")));

        var scored = await NfpProcess.RunAsync("score", "--fingerprint", fingerprint, "--records", Path("noise.npy"), "--json");
        Assert.Equal(0, scored.ExitCode);
        using (var json = JsonDocument.Parse(scored.Stdout))
        {
            // The HTTP API's names (VerdictsResponse), so a script moves between nfp and the service unchanged.
            Assert.Equal(300, json.RootElement.GetProperty("records").GetInt32());
            Assert.Equal(300, json.RootElement.GetProperty("verdicts").GetArrayLength());
            Assert.True(json.RootElement.GetProperty("oodRecords").GetInt32() > 270);
            Assert.True(json.RootElement.GetProperty("oodRate").GetDouble() > 0.9);
        }

        var matched = await NfpProcess.RunAsync("match", "--fingerprints", fingerprint, "--records", Path("test.npy"), "--json");
        Assert.Equal(0, matched.ExitCode);
        using (var json = JsonDocument.Parse(matched.Stdout))
        {
            // The HTTP API's names (MatchResponse).
            Assert.Equal("cnn", json.RootElement.GetProperty("matches")[0].GetProperty("modelId").GetString());
            Assert.Equal(0, json.RootElement.GetProperty("skipped").GetArrayLength());
        }

        var evaluated = await NfpProcess.RunAsync("evaluate", "--fingerprint", fingerprint, "--in", Path("test.npy"), "--ood", Path("noise.npy"));
        Assert.Equal(0, evaluated.ExitCode);
        Assert.Contains("set 2/2 'noise' (300 records): combined", evaluated.Stderr); // progress, on stderr
        Assert.DoesNotContain("records): ", evaluated.Stdout);
        Assert.Contains("OOD is the positive class", evaluated.Stdout);
        Assert.Contains("| noise | fingerprint |", evaluated.Stdout);
        Assert.Contains("| noise | knn |", evaluated.Stdout);
        Assert.Contains("| noise | combined |", evaluated.Stdout);
        Assert.DoesNotContain("Fisher)", evaluated.Stdout); // no partner picked by its OOD AUROC any more
    }

    [Fact]
    public async Task An_unknown_combined_rule_fails_with_exit_code_2_naming_the_choices()
    {
        var result = await NfpProcess.RunAsync("fingerprint", "--model", RepoPaths.Model("fmnist_cnn.onnx"), "--reference", Path("reference.npy"), "--out", Path("x"), "--combined-rule", "median");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'median'", result.Stderr);
        Assert.Contains("gaussian", result.Stderr);
    }

    [Fact]
    public async Task A_combined_fingerprint_share_outside_zero_to_one_fails_with_exit_code_2_naming_the_option()
    {
        var result = await NfpProcess.RunAsync("fingerprint", "--model", RepoPaths.Model("fmnist_cnn.onnx"), "--reference", Path("reference.npy"), "--out", Path("x"), "--combined-rule", "weighted-min-p", "--combined-fingerprint-share", "1.5");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("CombinedFingerprintShare", result.Stderr);
        Assert.False(Directory.Exists(Path("x")));
    }

    [Fact]
    public async Task A_latent_neighbour_count_of_one_fails_with_exit_code_2_naming_the_option()
    {
        var result = await NfpProcess.RunAsync("fingerprint", "--model", RepoPaths.Model("fmnist_cnn.onnx"), "--reference", Path("reference.npy"), "--out", Path("x"), "--latent-neighbours", "1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("LatentNeighbours", result.Stderr);
        Assert.False(Directory.Exists(Path("x")));
    }

    [Fact]
    public async Task A_sequence_pooling_that_does_not_pool_over_time_fails_with_exit_code_2_naming_the_option()
    {
        var result = await NfpProcess.RunAsync("fingerprint", "--model", RepoPaths.Model("panel/gru.onnx"), "--reference", Path("reference.npy"), "--out", Path("x"), "--sequence-pooling", "2x2");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("SequencePooling", result.Stderr);
        Assert.Contains("time4", result.Stderr);
        Assert.False(Directory.Exists(Path("x")));
    }

    [Fact]
    public async Task Layers_lists_the_transformer_blocks_as_sequence_layers()
    {
        var result = await NfpProcess.RunAsync("layers", RepoPaths.Model("panel/transformer.onnx"), "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var auto = json.RootElement.GetProperty("auto").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Contains("/blocks/blocks.0/Add_1_output_0", auto);
        Assert.Contains("/blocks/blocks.1/Add_1_output_0", auto);
    }

    [Fact]
    public async Task An_unknown_detector_in_the_list_fails_with_exit_code_2_naming_the_choices()
    {
        var result = await NfpProcess.RunAsync("fingerprint", "--model", RepoPaths.Model("fmnist_cnn.onnx"), "--reference", Path("reference.npy"), "--out", Path("x"), "--detectors", "knn,oracle");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("oracle", result.Stderr);
        Assert.Contains("combined", result.Stderr);
    }

    [Fact]
    public async Task Score_explain_names_the_deciding_layer_and_the_top_input_features()
    {
        var fingerprint = Path("cnn-input");
        var built = await NfpProcess.RunAsync("fingerprint", "--model", RepoPaths.Model("fmnist_cnn.onnx"), "--reference", Path("reference.npy"), "--out", fingerprint,
            "--layers", "input,/8/Relu_output_0", "--seed", "3", "--json");
        Assert.True(built.ExitCode == 0, built.Stderr);

        var scored = await NfpProcess.RunAsync("score", "--fingerprint", fingerprint, "--records", Path("noise.npy"), "--explain", "--top", "3", "--json");
        Assert.True(scored.ExitCode == 0, scored.Stderr);
        using var json = JsonDocument.Parse(scored.Stdout);
        var explanations = json.RootElement.GetProperty("explanations").EnumerateArray().ToArray();
        Assert.Equal(300, explanations.Length);
        var first = explanations[0];
        Assert.Contains(first.GetProperty("decidingLayer").GetString(), new[] { "input", "/8/Relu_output_0" });
        var input = first.GetProperty("input");
        Assert.Equal(3, input.GetProperty("topFeatures").GetArrayLength());
        Assert.Equal(28, input.GetProperty("heatmap").GetArrayLength());

        var plain = await NfpProcess.RunAsync("score", "--fingerprint", fingerprint, "--records", Path("noise.npy"), "--explain");
        Assert.Equal(0, plain.ExitCode);
        Assert.Contains("decided by", plain.Stdout);
    }

    [Fact]
    public async Task Score_streams_lean_verdicts_in_chunks_and_with_detail_layers_gives_every_in_process_field()
    {
        var fingerprint = Path("cnn-wire");
        var built = await NfpProcess.RunAsync("fingerprint", "--model", RepoPaths.Model("fmnist_cnn.onnx"), "--reference", Path("reference.npy"), "--out", fingerprint,
            "--layers", "input,/8/Relu_output_0", "--seed", "3", "--json");
        Assert.True(built.ExitCode == 0, built.Stderr);
        var records = FashionMnist.Test().Take(2500).Images; // more than two of the command's 1,024-record chunks
        await WriteNpy("many.npy", records);

        var lean = await NfpProcess.RunAsync("score", "--fingerprint", fingerprint, "--records", Path("many.npy"), "--json", "--out", Path("lean.json"));
        Assert.True(lean.ExitCode == 0, lean.Stderr);
        Assert.Equal(lean.Stdout.Trim(), (await File.ReadAllTextAsync(Path("lean.json"))).Trim());
        using (var json = JsonDocument.Parse(lean.Stdout))
        {
            var root = json.RootElement;
            Assert.Equal("verdict", root.GetProperty("detail").GetString());
            Assert.Equal(["input", "/8/Relu_output_0"], root.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("layer").GetString()));
            Assert.Equal(2500, root.GetProperty("verdicts").GetArrayLength());
            Assert.All(root.GetProperty("verdicts").EnumerateArray(), v =>
                Assert.Equal(["ood", "score", "pValue", "predictedClass", "maxProbability", "decidingLayer"], v.EnumerateObject().Select(p => p.Name)));
            Assert.Equal(2500, root.GetProperty("records").GetInt32());
        }

        var detailed = await NfpProcess.RunAsync("score", "--fingerprint", fingerprint, "--records", Path("many.npy"), "--detail", "layers", "--json");
        Assert.True(detailed.ExitCode == 0, detailed.Stderr);
        using var document = JsonDocument.Parse(detailed.Stdout);
        var thresholds = document.RootElement.GetProperty("layers").Deserialize<Core.Verdicts.LayerThresholds[]>(Json)!;
        var wire = document.RootElement.GetProperty("verdicts").Deserialize<Core.Verdicts.RecordVerdict[]>(Json)!;
        using var scorer = new Core.Fingerprints.FingerprintScorer(await Core.Fingerprints.Fingerprint.LoadAsync(fingerprint));
        var expected = scorer.Score(records);
        Assert.Equal(expected.OodCount, document.RootElement.GetProperty("oodRecords").GetInt32());
        for (var r = 0; r < expected.Count; r++)
        {
            var verdict = wire[r].ToVerdict(thresholds);
            Assert.Equal((expected[r].Ood, expected[r].Score, expected[r].PValue, expected[r].PredictedClass, expected[r].MaxProbability), (verdict.Ood, verdict.Score, verdict.PValue, verdict.PredictedClass, verdict.MaxProbability));
            Assert.Equal(expected[r].Layers, verdict.Layers);
        }

        var bad = await NfpProcess.RunAsync("score", "--fingerprint", fingerprint, "--records", Path("many.npy"), "--detail", "all");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("all", bad.Stderr);
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task A_records_file_that_is_not_npy_fails_with_exit_code_2_and_a_message()
    {
        await File.WriteAllTextAsync(Path("bad.npy"), "not numpy");

        var result = await NfpProcess.RunAsync("layers", Path("bad.npy"));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("nfp: ", result.Stderr);
    }

    [Fact]
    public async Task A_missing_fingerprint_directory_says_how_to_build_one()
    {
        var result = await NfpProcess.RunAsync("score", "--fingerprint", Path("nowhere"), "--records", Path("test.npy"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nfp fingerprint", result.Stderr);
    }
}
