using System.CommandLine;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;

namespace NeuralFP.Cli.Commands;

/// <summary><c>nfp fingerprint</c>: build a fingerprint directory from a model and reference records.</summary>
internal static class FingerprintCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "The ONNX model.", Required = true };
        var reference = CommonOptions.Records("--reference");
        reference.Description = "Reference (training-distribution) records as .npy, [N, ...input shape].";
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory to write fingerprint.json and scorer.onnx into.", Required = true };
        var layers = new Option<string>("--layers") { Description = "\"auto\" or comma-separated tensor names (see `nfp layers`).", DefaultValueFactory = _ => "auto" };
        var pooling = new Option<string>("--pooling") { Description = "Pooling of conv maps: global, 2x2, 4x4, none.", DefaultValueFactory = _ => new FingerprintOptions().Pooling };
        var inputPooling = new Option<string>("--input-pooling") { Description = "Pooling of the model input when it is a layer.", DefaultValueFactory = _ => new FingerprintOptions().InputPooling };
        var sequencePooling = new Option<string>("--sequence-pooling") { Description = "Pooling over time of sequence layers [T, H] (recurrent hidden states, transformer token states): time (the mean) or timeS, S segment means (e.g. time4).", DefaultValueFactory = _ => new FingerprintOptions().SequencePooling };
        var l2 = new Option<string>("--l2-normalise") { Description = $"Which layers' features are L2-normalised before the autoencoder: {string.Join(", ", L2Layers.All)}.", DefaultValueFactory = _ => new FingerprintOptions().L2Normalise };
        var kind = new Option<AutoencoderKind>("--autoencoder") { Description = $"Autoencoder kind: Mlp, Pca or Auto (Mlp from {AutoencoderOptions.MinMlpTrainingRecords:N0} training records, Pca below).", DefaultValueFactory = _ => new AutoencoderOptions().Kind };
        var targetFpr = new Option<double>("--target-fpr") { Description = "False-positive rate of the whole rule on in-distribution data.", DefaultValueFactory = _ => new FingerprintOptions().TargetFpr };
        var twoSided = new Option<bool>("--two-sided") { Description = "Also flag suspiciously small errors (NeuralFP's original rule; default: one-sided, see the README's ablation)." };
        var hidden = new Option<int>("--hidden") { Description = "Autoencoder hidden width (the ablation's autoencoder size).", DefaultValueFactory = _ => new AutoencoderOptions().HiddenSize };
        var bottleneck = new Option<double>("--bottleneck") { Description = "Autoencoder bottleneck as a share of the layer's width.", DefaultValueFactory = _ => new AutoencoderOptions().BottleneckRatio };
        var integration = new Option<string>("--integration") { Description = $"How layers are combined: {string.Join(", ", NeuralFP.Core.Verdicts.IntegrationKinds.All)}.", DefaultValueFactory = _ => new FingerprintOptions().Integration };
        var combinedRule = new Option<string>("--combined-rule") { Description = $"How the combined detector joins the fingerprint and its partners: {string.Join(", ", NeuralFP.Core.Detectors.CombinedDetector.Rules)}.", DefaultValueFactory = _ => new FingerprintOptions().CombinedRule };
        var combinedMembers = new Option<string>("--combined-members") { Description = "The combined detector's partners beside the fingerprint, a comma list of detectors.", DefaultValueFactory = _ => string.Join(",", new FingerprintOptions().CombinedMembers) };
        var combinedShare = new Option<double>("--combined-fingerprint-share") { Description = "Under --combined-rule fingerprint-or-density or weighted-min-p: the fingerprint's share of the false-positive budget, in (0, 1).", DefaultValueFactory = _ => new FingerprintOptions().CombinedFingerprintShare };
        var scaleFloor = new Option<double>("--scale-floor") { Description = "Smallest feature scale relative to the layer's pooled std (0.001 = the old scaling).", DefaultValueFactory = _ => new FingerprintOptions().ScaleFloor };
        var inputFloorByMedian = new Option<bool>("--input-floor-by-median") { Description = "Floor the model input's feature scales relative to their median spread, not the pooled one (raw table columns in different units).", DefaultValueFactory = _ => new FingerprintOptions().InputScaleFloorByMedian };
        var includeInput = new Option<bool>("--include-input") { Description = "Whether the automatic layer choice taps the model input (`--include-input false` to leave it out).", DefaultValueFactory = _ => new FingerprintOptions().IncludeInputLayer };
        var latent = new Option<bool>("--latent-statistic") { Description = "Whether each autoencoder's latent distance enters the Gaussian integrations (`--latent-statistic false` for the errors alone).", DefaultValueFactory = _ => new FingerprintOptions().LatentStatistic };
        var latentPerClass = new Option<bool>("--latent-per-class") { Description = "Latent distance to the nearest predicted-class mean instead of one overall mean.", DefaultValueFactory = _ => new FingerprintOptions().LatentPerClass };
        var inputComplexity = new Option<bool>("--input-complexity") { Description = "Whether the Gaussian integrations read the input record's energy and total variation beside the errors (`--input-complexity false` for the statistics of the layers alone).", DefaultValueFactory = _ => new FingerprintOptions().InputComplexity };
        var foldErrors = new Option<bool>("--fold-errors-at-median") { Description = "The density integrations read each layer's error as at least its calibration median: only larger errors count as evidence.", DefaultValueFactory = _ => new FingerprintOptions().FoldErrorsAtMedian };
        var foldInputError = new Option<bool>("--fold-input-error-at-median") { Description = "With --fold-errors-at-median, fold the model input layer's error too (off: it is read both ways).", DefaultValueFactory = _ => new FingerprintOptions().FoldInputErrorAtMedian };
        var responseBar = new Option<double>("--statistic-response-bar") { Description = "The density integrations leave out each statistic that no response shift (two-record mixtures; tiles permuted or columns resampled) moves to this AUROC alone (0: keep every statistic).", DefaultValueFactory = _ => new FingerprintOptions().StatisticResponseBar };
        var inputRegionalGrid = new Option<int>("--input-regional-grid") { Description = "g ≥ 2: the density integrations also read the input layer's largest regional error over a g×g grid of the record's last two axes (0: off).", DefaultValueFactory = _ => new FingerprintOptions().InputRegionalGrid };
        var inputMarginalBins = new Option<int>("--input-marginal-bins") { Description = "b ≥ 2: for a table, the density integrations also read each column's surprise under a b-bin histogram of its training values, summed over the columns (0: off).", DefaultValueFactory = _ => new FingerprintOptions().InputMarginalBins };
        var errorWeightFloor = new Option<double>("--error-weight-floor") { Description = "Each feature's squared reconstruction error weighed by the inverse of its mean on the training records, floored at this share of the layer's mean (0: the plain mean squared error).", DefaultValueFactory = _ => new FingerprintOptions().ErrorWeightFloor };
        var selfCheckRecords = new Option<int>("--self-check-records") { Description = "Calibration records the build's self-check shifts by each corruption (blur, low contrast, occlusion, additive noise; feature noise for tables) to report how well the fingerprint sees them on this model (0: off).", DefaultValueFactory = _ => new FingerprintOptions().SelfCheckRecords };
        var latentNeighbours = new Option<int>("--latent-neighbours") { Description = "0: latent distance to one mean (or the class means); N ≥ 2: to the nearest of N sampled training codes.", DefaultValueFactory = _ => new FingerprintOptions().LatentNeighbours };
        var detectors = new Option<string>("--detectors") { Description = $"\"all\", \"none\" or a comma list of detectors to fit beside the fingerprint: {string.Join(", ", NeuralFP.Core.Detectors.DetectorNames.All)}.", DefaultValueFactory = _ => "all" };
        var maxTraining = new Option<int>("--max-training-records") { Description = "Most reference records the autoencoders train on (a seeded sample); the build's memory follows it, not the reference's size.", DefaultValueFactory = _ => new FingerprintOptions().MaxTrainingRecords };
        var unseenFrom = new Option<int?>("--unseen-from") { Description = "The index of the first reference record the model never trained on (records appended after its training sample): every threshold is then calibrated on those records, which a model cannot have memorised." };
        var seed = new Option<int>("--seed") { Description = "Seed for the split and the autoencoders.", DefaultValueFactory = _ => new FingerprintOptions().Seed };
        var json = CommonOptions.Json();
        var command = new Command("fingerprint", "Build a model's fingerprint: per-layer autoencoders, error quantiles, thresholds, fused scorer.")
        {
            model, reference, output, layers, pooling, inputPooling, sequencePooling, l2, kind, hidden, bottleneck, integration, combinedRule, combinedMembers, combinedShare, scaleFloor, inputFloorByMedian, includeInput, latent, latentPerClass, latentNeighbours, inputComplexity, inputRegionalGrid, inputMarginalBins, errorWeightFloor, foldErrors, foldInputError, responseBar, selfCheckRecords, detectors, targetFpr, twoSided, maxTraining, unseenFrom, seed, json,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var modelFile = parse.GetValue(model)!;
            if (!modelFile.Exists) throw new FileNotFoundException($"No model at '{modelFile.FullName}'.");
            var layerText = parse.GetValue(layers)!;
            var options = new FingerprintOptions
            {
                Layers = layerText.Equals("auto", StringComparison.OrdinalIgnoreCase) ? null : layerText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                Pooling = parse.GetValue(pooling)!,
                InputPooling = parse.GetValue(inputPooling)!,
                SequencePooling = parse.GetValue(sequencePooling)!,
                L2Normalise = parse.GetValue(l2)!,
                Autoencoder = new AutoencoderOptions { Kind = parse.GetValue(kind), HiddenSize = parse.GetValue(hidden), BottleneckRatio = parse.GetValue(bottleneck) },
                Integration = parse.GetValue(integration)!,
                CombinedRule = parse.GetValue(combinedRule)!,
                CombinedMembers = parse.GetValue(combinedMembers)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                CombinedFingerprintShare = parse.GetValue(combinedShare),
                ScaleFloor = parse.GetValue(scaleFloor),
                InputScaleFloorByMedian = parse.GetValue(inputFloorByMedian),
                IncludeInputLayer = parse.GetValue(includeInput),
                LatentStatistic = parse.GetValue(latent),
                LatentPerClass = parse.GetValue(latentPerClass),
                LatentNeighbours = parse.GetValue(latentNeighbours),
                InputComplexity = parse.GetValue(inputComplexity),
                InputRegionalGrid = parse.GetValue(inputRegionalGrid),
                InputMarginalBins = parse.GetValue(inputMarginalBins),
                ErrorWeightFloor = parse.GetValue(errorWeightFloor),
                FoldErrorsAtMedian = parse.GetValue(foldErrors),
                FoldInputErrorAtMedian = parse.GetValue(foldInputError),
                StatisticResponseBar = parse.GetValue(responseBar),
                SelfCheckRecords = parse.GetValue(selfCheckRecords),
                Detectors = DetectorList(parse.GetValue(detectors)!),
                TargetFpr = parse.GetValue(targetFpr),
                TwoSided = parse.GetValue(twoSided),
                MaxTrainingRecords = parse.GetValue(maxTraining),
                UnseenFrom = parse.GetValue(unseenFrom),
                Seed = parse.GetValue(seed),
            };
            // Streamed from the file, batch by batch, as the service does: the reference is never held whole.
            var records = CommandRunner.StreamRecords(parse.GetValue(reference)!);
            var fingerprint = await FingerprintBuilder.BuildAsync(await File.ReadAllBytesAsync(modelFile.FullName, cancellationToken), records, options, new BuildLimits(), CommandRunner.StderrProgress(), cancellationToken);
            var directory = parse.GetValue(output)!.FullName;
            await fingerprint.SaveAsync(directory, cancellationToken);
            var m = fingerprint.Manifest;
            if (parse.GetValue(json))
                CliJson.Write(new { Directory = directory, m.ModelSha256, Layers = m.Layers.Select(l => l.Name), m.Calibration, m.BuildSeconds, m.SelfCheck,
                    Integration = NeuralFP.Core.Verdicts.IntegrationSummary.Of(m.Integration), Detectors = m.Detectors.Select(d => d.Name), DetectorSummaries = m.Detectors });
            else
                Console.WriteLine($"Fingerprint written to {directory}: {m.Layers.Count} layers, realised FPR {m.Calibration.RealisedFpr:P2} on {m.Calibration.HeldOutRecords} held-out records, {m.BuildSeconds:F1} s.");
            return 0;
        }));
        return command;
    }

    /// <summary>"all" → null (every detector), "none" → empty, else the comma list (validated by the options).</summary>
    private static string[]? DetectorList(string text) => text.Trim().ToLowerInvariant() switch
    {
        "all" => null,
        "none" or "" => [],
        _ => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
    };
}
