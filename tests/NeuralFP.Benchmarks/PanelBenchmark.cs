using System.Diagnostics;
using System.Globalization;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Metrics;
using NeuralFP.Core.Shifts;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Benchmarks;

/// <summary>
/// Issue 8's panel benchmark: every panel model × OOD set × detector (AUROC, FPR95, share flagged at the calibrated
/// threshold), the minimum over the panel, the realised FPR per model over seeds, the integration/scaling exploration
/// on the validation sets only, and the bars. Environment: NFP_PANEL_SEEDS (default 1,2,3), NFP_PANEL_MODELS
/// (comma list), NFP_PANEL_EXPLORE=0 to skip the exploration builds, NFP_PANEL_REFERENCE/TEST/OOD (record counts),
/// NFP_PANEL_INPUT_POOLING (the input layer's pooling instead of the default), NFP_PANEL_SEQUENCE_POOLING (the same for
/// sequence layers), NFP_PANEL_L2 (which layers are L2-normalised), NFP_PANEL_HIDDEN (autoencoder hidden width),
/// NFP_PANEL_INTEGRATION (the fingerprint's integration), NFP_PANEL_INPUT_FLOOR=median|pooled (the input layer's scale-floor reference),
/// NFP_PANEL_LATENT_PER_CLASS=1 (latent distance to the nearest predicted-class mean), NFP_PANEL_AUTOENCODER=mlp|pca|auto (the autoencoder kind),
/// NFP_PANEL_RULE_SEEDS=1 (each combined rule's and detector's realised FPR per seed, to trace a spread), NFP_PANEL_INPUT_COMPLEXITY=0|1, NFP_PANEL_LATENT_NEIGHBOURS=N (to the
/// nearest of N training codes), NFP_PANEL_INPUT_BOTTLENECK=B / NFP_PANEL_INPUT_HIDDEN=H (the input layer's autoencoder only),
/// NFP_PANEL_VARIANTS (a comma list of option variants built beside the default on the same seeds, each with its own
/// combined detector, and compared on the validation sets after <see cref="CalibrationGuard"/>, see <see cref="VariantOptions"/>), NFP_PANEL_PER_STATISTIC=1 (each statistic's own AUROC, to understand),
/// NFP_PANEL_COMPLEXITY=1 (the default integration re-fitted with the input's complexity measures, <see cref="InputMeasures"/>),
/// NFP_PANEL_UNION=1 (the default joined with a one-sided rule, <see cref="UnionVariants"/>), NFP_PANEL_MAXZ=1 (the default
/// integration joined with a sparse-shift statistic, with and without the input layer, <see cref="MaxZScore"/>),
/// NFP_PANEL_NORMAL_SCORES=1 (the default integration re-fitted on each statistic's normal scores, <see cref="NormalScores"/>),
/// NFP_PANEL_LAYER_REGIONS=1 (the default re-fitted with each pooled layer's largest cell error, <see cref="LayerRegionVariants"/>).
/// </summary>
internal static class PanelBenchmark
{
    /// <summary>
    /// The options with another autoencoder training budget when NFP_PANEL_EPOCHS / NFP_PANEL_BATCH /
    /// NFP_PANEL_LEARNING_RATE are set, to weigh build speed against detection before a default changes (said on stderr).
    /// </summary>
    private static FingerprintOptions WithTrainingBudget(FingerprintOptions options)
    {
        string? Setting(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
        var autoencoder = options.Autoencoder;
        if (Setting("NFP_PANEL_EPOCHS") is { } epochs) autoencoder = autoencoder with { MaxEpochs = int.Parse(epochs, System.Globalization.CultureInfo.InvariantCulture) };
        if (Setting("NFP_PANEL_BATCH") is { } batch) autoencoder = autoencoder with { BatchSize = int.Parse(batch, System.Globalization.CultureInfo.InvariantCulture) };
        if (Setting("NFP_PANEL_LEARNING_RATE") is { } rate) autoencoder = autoencoder with { LearningRate = double.Parse(rate, System.Globalization.CultureInfo.InvariantCulture) };
        if (autoencoder != options.Autoencoder && BudgetReported.Add(autoencoder))
            Console.Error.WriteLine($"Panel builds train the autoencoders for {autoencoder.MaxEpochs} epochs, batch {autoencoder.BatchSize}, learning rate {autoencoder.LearningRate} (NFP_PANEL_EPOCHS / _BATCH / _LEARNING_RATE).");
        return options with { Autoencoder = autoencoder };
    }

    private static readonly HashSet<AutoencoderOptions> BudgetReported = [];

    private const string Fingerprint = "fingerprint";
    private const string NoInput = "fingerprint −input";
    private const string WithInput = "fingerprint +input";

    private static readonly string[] Detectors =
        [DetectorNames.MaxSoftmax, DetectorNames.Energy, DetectorNames.Dice, DetectorNames.Mahalanobis, DetectorNames.Knn, DetectorNames.ActivationPatterns, DetectorNames.Combined];

    private sealed record Cell(string Model, bool Tabular, string Set, SetRole Role, string Detector, int Seed, double Auroc, double Fpr95, double Flagged);

    private sealed record Realised(string Model, bool Tabular, string Detector, int Seed, double Fpr);

    /// <summary>A run with any held-out architecture (tools/build_holdout.py) reports; it never names a choice.</summary>
    private static bool HeldOutRun;

    private const string NothingChosen = "Held-out architectures in this run: every row is reported only; nothing is chosen on them.";

    public static async Task RunAsync(TextWriter output)
    {
        var seeds = (Environment.GetEnvironmentVariable("NFP_PANEL_SEEDS") ?? "1,2,3").Split(',').Select(int.Parse).ToArray();
        var explore = Environment.GetEnvironmentVariable("NFP_PANEL_EXPLORE") != "0";
        var cells = new List<Cell>();
        var realised = new List<Realised>();
        var exploration = new List<Cell>();
        // NFP_PANEL_INPUT_POOLING measures a cheaper input layer (e.g. 14x14) against the default without changing it.
        var defaults = Environment.GetEnvironmentVariable("NFP_PANEL_INPUT_POOLING") is { Length: > 0 } inputPooling
            ? new FingerprintOptions { InputPooling = inputPooling } : new FingerprintOptions();
        // NFP_PANEL_HIDDEN measures smaller (cheaper) autoencoders against the default hidden width.
        if (int.TryParse(Environment.GetEnvironmentVariable("NFP_PANEL_HIDDEN"), out var hidden))
            defaults = defaults with { Autoencoder = defaults.Autoencoder with { HiddenSize = hidden } };
        // NFP_PANEL_SEQUENCE_POOLING measures another pooling of sequence layers (e.g. time4) against the default.
        if (Environment.GetEnvironmentVariable("NFP_PANEL_SEQUENCE_POOLING") is { Length: > 0 } sequencePooling) defaults = defaults with { SequencePooling = sequencePooling };
        if (Environment.GetEnvironmentVariable("NFP_PANEL_L2") is { Length: > 0 } l2) defaults = defaults with { L2Normalise = l2 };
        if (Environment.GetEnvironmentVariable("NFP_PANEL_INTEGRATION") is { Length: > 0 } integration) defaults = defaults with { Integration = integration };
        if (Environment.GetEnvironmentVariable("NFP_PANEL_LATENT_PER_CLASS") == "1") defaults = defaults with { LatentPerClass = true };
        if (Environment.GetEnvironmentVariable("NFP_PANEL_AUTOENCODER") is { Length: > 0 } kind) defaults = defaults with { Autoencoder = defaults.Autoencoder with { Kind = Enum.Parse<AutoencoderKind>(kind, ignoreCase: true) } };
        if (Environment.GetEnvironmentVariable("NFP_PANEL_INPUT_COMPLEXITY") is "0" or "1") defaults = defaults with { InputComplexity = Environment.GetEnvironmentVariable("NFP_PANEL_INPUT_COMPLEXITY") == "1" };
        if (int.TryParse(Environment.GetEnvironmentVariable("NFP_PANEL_LATENT_NEIGHBOURS"), out var neighbours)) defaults = defaults with { LatentNeighbours = neighbours };
        foreach (var part in new[] { ("NFP_PANEL_INPUT_BOTTLENECK", "input-bottleneck"), ("NFP_PANEL_INPUT_HIDDEN", "input-hidden") })
            if (Environment.GetEnvironmentVariable(part.Item1) is { Length: > 0 } value) defaults = VariantOptions(defaults, part.Item2 + value);
        if (Environment.GetEnvironmentVariable("NFP_PANEL_INPUT_FLOOR") is { Length: > 0 } inputFloor) defaults = defaults with { InputScaleFloorByMedian = inputFloor == "median" };
        if (Environment.GetEnvironmentVariable("NFP_PANEL_COMBINED_RULE") is { Length: > 0 } combinedRule) defaults = defaults with { CombinedRule = combinedRule };
        if (Environment.GetEnvironmentVariable("NFP_PANEL_COMBINED_MEMBERS") is { Length: > 0 } combinedMembers) defaults = defaults with { CombinedMembers = combinedMembers.Split(',') };
        var variants = (Environment.GetEnvironmentVariable("NFP_PANEL_VARIANTS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var v in variants) VariantOptions(defaults, v).Validate(); // fail before any build
        PerStatistic = Environment.GetEnvironmentVariable("NFP_PANEL_PER_STATISTIC") == "1";
        Complexity = Environment.GetEnvironmentVariable("NFP_PANEL_COMPLEXITY") == "1";
        Union = Environment.GetEnvironmentVariable("NFP_PANEL_UNION") == "1";
        MaxZ = Environment.GetEnvironmentVariable("NFP_PANEL_MAXZ") == "1";
        NormalScoreVariants = Environment.GetEnvironmentVariable("NFP_PANEL_NORMAL_SCORES") == "1";
        LayerRegions = Environment.GetEnvironmentVariable("NFP_PANEL_LAYER_REGIONS") == "1";
        LayerAblation = Environment.GetEnvironmentVariable("NFP_PANEL_LAYER_ABLATION") == "1";
        Selection = Environment.GetEnvironmentVariable("NFP_PANEL_SELECTION") == "1";
        if (Selection) defaults = defaults with { MeasureResponses = true };
        Densities = (Environment.GetEnvironmentVariable("NFP_PANEL_DENSITIES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var d in Densities)
            if (!IntegrationKinds.IsDensity(DensityEntry(d).Kind)) throw new ArgumentException($"NFP_PANEL_DENSITIES: '{d}' is not a density integration ({string.Join(", ", IntegrationKinds.All.Where(IntegrationKinds.IsDensity))}, '@k' for the neighbour kinds' k).");
        DefaultCombined = defaults;
        output.WriteLine($"Defaults: integration {defaults.Integration}, combined rule {defaults.CombinedRule} (fingerprint + {string.Join(" + ", defaults.CombinedMembers)}), latent {(defaults.LatentStatistic ? defaults.LatentNeighbours > 0 ? $"nearest of {defaults.LatentNeighbours} codes" : defaults.LatentPerClass ? "per class" : "one mean" : "off")}{(defaults.InputAutoencoder is { } ia ? $", input autoencoder hidden {ia.HiddenSize} bottleneck ≤ {ia.MaxBottleneck}" : "")}, scale floor {defaults.ScaleFloor} (input layer's relative to the {(defaults.InputScaleFloorByMedian ? "median" : "pooled")} feature spread), pooling {defaults.Pooling} (input {defaults.InputPooling}, sequences {defaults.SequencePooling}), L2-normalised layers {defaults.L2Normalise}, input complexity {(defaults.InputComplexity ? "on" : "off")}, input regional error {(defaults.InputRegionalGrid > 0 ? $"{defaults.InputRegionalGrid}x{defaults.InputRegionalGrid}" : "off")}, table columns' marginal surprise {(defaults.InputMarginalBins > 0 ? $"{defaults.InputMarginalBins} bins" : "off")}, errors {(defaults.ErrorWeightFloor > 0 ? $"weighed per feature (floor {defaults.ErrorWeightFloor:0.###})" : "unweighted")}, errors {(defaults.FoldErrorsAtMedian ? defaults.FoldInputErrorAtMedian ? "folded at their median" : "folded at their median but the input layer's" : "read both ways")}, statistics {(defaults.StatisticResponseBar > 0 ? $"kept at response ≥ {defaults.StatisticResponseBar:0.###}" : "all kept")}, k = {NeuralFP.Core.Detectors.Numerics.NeighbourDensity.DefaultNeighbours}, autoencoder {defaults.Autoencoder.Kind} hidden {defaults.Autoencoder.HiddenSize}; reference {PanelModels.ReferenceRecords} records, in-distribution test {PanelModels.TestRecords}, OOD sets up to {PanelModels.OodRecords}; seeds {string.Join(",", seeds)}.");
        output.WriteLine();
        var only = Environment.GetEnvironmentVariable("NFP_PANEL_MODELS");
        HeldOutRun = PanelModels.NamesHeldOut(only);
        if (HeldOutRun)
        {
            output.WriteLine("Held-out architectures in this run (tools/build_holdout.py): built after the last default was chosen; nothing is chosen on them.");
            output.WriteLine();
        }
        output.WriteLine("| model | shape | layers | build s (seed 1) |");
        output.WriteLine("|---|---|---|---:|");
        foreach (var model in PanelModels.All(only))
        {
            foreach (var seed in seeds)
            {
                var clock = Stopwatch.StartNew();
                // The build's combined detector holds every candidate partner, so that each rule and member subset (the
                // default among them) is refitted on the same held-out records; the "combined" column is the default's.
                var outcome = FingerprintBuilder.Build(model.Onnx, model.Reference, WithTrainingBudget(defaults) with { Seed = seed, Detectors = Detectors, CombinedMembers = CandidatePool(defaults) }, null, CancellationToken.None);
                if (seed == seeds[0])
                    output.WriteLine($"| {model.Name} | {model.Shape} | {outcome.Fingerprint.Manifest.Layers.Count} | {clock.Elapsed.TotalSeconds:F0} |");
                Evaluate(model, seed, outcome, "", cells, realised, detectors: true);
                if (outcome.Fingerprint.Manifest.SelfCheck is { } check) SelfChecks.Add((model.Name, seed, check));
                if (variants.Length > 0)
                {
                    VariantCells.AddRange(cells.Where(c => c.Model == model.Name && c.Seed == seed && c.Detector == Fingerprint).Select(c => c with { Detector = DefaultVariant }));
                    VariantRealised.AddRange(realised.Where(r => r.Model == model.Name && r.Seed == seed && r.Detector == Fingerprint).Select(r => r with { Detector = DefaultVariant }));
                    VariantCombinedCells.AddRange(cells.Where(c => c.Model == model.Name && c.Seed == seed && c.Detector == DetectorNames.Combined).Select(c => c with { Detector = DefaultVariant }));
                    VariantCombinedRealised.AddRange(realised.Where(r => r.Model == model.Name && r.Seed == seed && r.Detector == DetectorNames.Combined).Select(r => r with { Detector = DefaultVariant }));
                }
                foreach (var variant in variants)
                {
                    // The combined detector and its members too: the calibration guard reads its realised FPR.
                    var variantOptions = VariantOptions(defaults, variant);
                    var built = FingerprintBuilder.Build(model.Onnx, model.Reference, WithTrainingBudget(variantOptions) with { Seed = seed, Detectors = [.. variantOptions.CombinedMembers, DetectorNames.Combined] }, null, CancellationToken.None);
                    EvaluateVariant(model, seed, built, variant);
                }
                if (explore && seed == seeds[0])
                {
                    // Exploration builds tap the input layer too, so that "with" and "without" it come from the same
                    // autoencoders; integrations are re-fitted from the same calibration errors; the old floor is the other scaling.
                    var withInput = FingerprintBuilder.Build(model.Onnx, model.Reference, WithTrainingBudget(defaults) with { Seed = seed, Detectors = [], IncludeInputLayer = true, LatentStatistic = true, Integration = IntegrationKinds.Gaussian }, null, CancellationToken.None);
                    var before = exploration.Count;
                    Evaluate(model, seed, withInput, "", exploration, null, detectors: false);
                    // The default integration with the input layer: the ablation row of the main table.
                    var defaultVariant = defaults.Integration + (defaults.LatentStatistic && IntegrationKinds.IsDensity(defaults.Integration) ? " +latent" : "");
                    cells.AddRange(exploration.Skip(before).Where(c => c.Detector == defaultVariant).Select(c => c with { Detector = WithInput }));
                    // The latent distance's other form (per predicted class / one mean): same seeded autoencoders, other statistic.
                    var other = FingerprintBuilder.Build(model.Onnx, model.Reference, WithTrainingBudget(defaults) with { Seed = seed, Detectors = [], IncludeInputLayer = true, LatentStatistic = true, Integration = IntegrationKinds.Gaussian, LatentPerClass = !defaults.LatentPerClass }, null, CancellationToken.None);
                    Evaluate(model, seed, other, defaults.LatentPerClass ? "one-mean latent: " : "per-class latent: ", exploration, null, detectors: false);
                }
            }
            await output.FlushAsync();
        }
        output.WriteLine();

        if (exploration.Count > 0)
        {
            PrintSelection(output, exploration);
            PrintVariants(output, exploration);
        }
        if (VariantCells.Count > 0) PrintOptionVariants(output);
        if (StatisticCells.Count > 0) PrintStatistics(output);
        PrintTable(output, cells, "AUROC", c => c.Auroc, "F3");
        PrintTable(output, cells, "FPR95 (lower is better)", c => c.Fpr95, "F3");
        PrintTable(output, cells, "share flagged at the calibrated 5% threshold", c => c.Flagged, "P0");
        PrintMinimum(output, cells);
        PrintIntegrations(output, cells, realised);
        PrintLayerAblation(output, cells);
        PrintResponses(output);
        PrintLeftOut(output);
        PrintCombinedRules(output, cells);
        PrintRealised(output, realised);
        PrintBars(output, cells, realised);
        PrintSelfChecks(output, cells);
    }

    private static readonly List<(string Model, int Seed, SelfCheckSummary Check)> SelfChecks = [];

    /// <summary>
    /// The build's self-check beside the panel's validation sets of the same name: the self-check shifts calibration records
    /// by corruptions scaled to each reference (mean-valued patches, noise at half the spread); the panel shifts test
    /// records by its fixed ones (grey patches, σ = 0.2). Whether the one a user sees at upload tracks the other.
    /// </summary>
    private static void PrintSelfChecks(TextWriter output, List<Cell> cells)
    {
        if (SelfChecks.Count == 0) return;
        // A detector's validation cell of the same name as the shift, averaged over seeds (null when the panel has none).
        (double Auroc, double Flagged)? Validation(string model, string detector, string set) =>
            cells.Where(c => c.Model == model && c.Detector == detector && c.Set == set && c.Role == SetRole.Validation).ToArray() is { Length: > 0 } found
                ? (found.Average(c => c.Auroc), found.Average(c => c.Flagged)) : null;
        static string Or(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "–";

        output.WriteLine();
        output.WriteLine($"**The build's self-check against the validation sets** (fingerprint AUROC and share flagged, mean over seeds; self-check on {SelfChecks[0].Check.Records} calibration records per shift, the panel on up to {PanelModels.OodRecords} test records):");
        output.WriteLine();
        output.WriteLine("| model | shift | self-check AUROC | validation set AUROC | self-check flagged | validation set flagged |");
        output.WriteLine("|---|---|---:|---:|---:|---:|");
        var gaps = new List<double>();
        foreach (var model in SelfChecks.GroupBy(s => s.Model))
            foreach (var shift in model.SelectMany(s => s.Check.Shifts).GroupBy(s => s.Shift))
            {
                var panel = Validation(model.Key, Fingerprint, shift.Key);
                var auroc = shift.Average(s => s.Auroc);
                if (panel is { } p) gaps.Add(Math.Abs(auroc - p.Auroc));
                output.WriteLine($"| {model.Key} | {shift.Key} | {auroc:F3} | {Or(panel?.Auroc, "F3")} | {shift.Average(s => s.Flagged):P0} | {Or(panel?.Flagged, "P0")} |");
            }
        if (gaps.Count > 0)
            output.WriteLine($"\nSelf-check against validation AUROC: median gap {RunStatistics.Median(gaps):F3}, largest {gaps.Max():F3} over {gaps.Count} (model, shift) pairs.");

        // Where one statistic alone saw a shift clearly better than the fingerprint (the build's dilution line), per seed.
        var diluted = SelfChecks.SelectMany(s => s.Check.Shifts.Select(shift => shift.Dilution()).OfType<string>().Select(line => $"{s.Model} seed {s.Seed}: {line}")).ToArray();
        output.WriteLine($"\nA statistic alone {SelfCheckSummary.DilutionMargin} or more above the fingerprint (the build's dilution line) in {diluted.Length} of " +
            $"{SelfChecks.Sum(s => s.Check.Shifts.Count)} (model, seed, shift) self-checks{(diluted.Length == 0 ? "." : ": " + string.Join("; ", diluted) + ".")}");

        // The detectors beside the fingerprint: the same comparison, per detector (its self-check on the shifted held-out records).
        var detectorGaps = SelfChecks
            .SelectMany(s => s.Check.Shifts.SelectMany(shift => (shift.Detectors ?? []).Select(d => (s.Model, shift.Shift, d.Detector, d.Auroc))))
            .GroupBy(x => (x.Model, x.Shift, x.Detector))
            .Select(g => (g.Key, SelfCheck: g.Average(x => x.Auroc), Validation: Validation(g.Key.Model, g.Key.Detector, g.Key.Shift)?.Auroc))
            .Where(x => x.Validation is not null)
            .GroupBy(x => x.Key.Detector)
            .ToArray();
        if (detectorGaps.Length == 0) return;
        output.WriteLine();
        output.WriteLine("| detector | (model, shift) pairs | median gap to the validation set's AUROC | largest gap | where (self-check against validation) |");
        output.WriteLine("|---|---:|---:|---:|---|");
        foreach (var detector in detectorGaps.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var absolute = detector.Select(x => Math.Abs(x.SelfCheck - x.Validation!.Value)).ToList();
            var worst = detector.MaxBy(x => Math.Abs(x.SelfCheck - x.Validation!.Value));
            output.WriteLine($"| {detector.Key} | {absolute.Count} | {RunStatistics.Median(absolute):F3} | {absolute.Max():F3} | {worst.Key.Model} {worst.Key.Shift}: {worst.SelfCheck:F3} against {worst.Validation:F3} |");
        }
    }

    /// <summary>Scores the in-distribution and OOD sets with every detector and with fingerprint integrations re-fitted on the build's calibration errors.</summary>
    private static void Evaluate(PanelModel model, int seed, FingerprintBuilder.Outcome outcome, string prefix, List<Cell> cells, List<Realised>? realised, bool detectors)
    {
        using var scorer = new FingerprintScorer(outcome.Fingerprint);
        var manifest = outcome.Fingerprint.Manifest;
        // The build's statistic responses when it selected by them (NFP_PANEL_SELECTION measures them without selecting too).
        var responses = manifest.Options.StatisticResponseBar > 0 ? outcome.StatisticResponses : null;
        if (detectors && manifest.Integration is { } integration)
            LeftOut.Add((model.Name, seed, integration.StatisticCount, [.. integration.Excluded.Select(e => e.Layer)]));
        var variants = detectors ? DefaultVariants(manifest, outcome.CalibrationErrors, outcome.CalibrationClasses, responses) : ExplorationVariants(manifest, outcome.CalibrationErrors, outcome.CalibrationClasses, prefix);
        if (detectors && Complexity) variants.AddRange(ComplexityVariants(model, manifest, outcome.CalibrationErrors, outcome.CalibrationClasses));
        if (detectors && Union) variants.AddRange(UnionVariants(manifest, outcome.CalibrationErrors, outcome.CalibrationClasses));
        if (detectors && LayerRegions) variants.AddRange(LayerRegionVariants(model, outcome.Fingerprint, outcome.CalibrationErrors, outcome.CalibrationClasses));
        if (detectors && Selection && outcome.StatisticResponses is { } measured)
        {
            variants.AddRange(SelectionVariants(manifest, outcome.CalibrationErrors, outcome.CalibrationClasses, measured));
            Responses.Add((model.Name, seed, measured));
        }
        if (detectors && LayerAblation)
        {
            variants.AddRange(LayerAblationVariants(manifest, outcome.CalibrationErrors, outcome.CalibrationClasses, responses));
            ModelLayers[model.Name] = ([.. manifest.Layers.Select(l => l.Name)], InputLayer(manifest));
        }
        var names = detectors ? scorer.Fingerprint.Detectors.Names.ToArray() : [];

        var (id, idStatistics) = Score(scorer, model.InDistribution, variants, names, detectors);
        var rules = detectors ? CombinedRules(scorer, outcome.Fingerprint.Manifest.Options.TargetFpr) : [];
        // The default combined detector: its rule and members refitted on the build's held-out records (what a build with
        // the default options fits and calibrates, from the same member scores).
        var defaultRule = rules.SingleOrDefault(r => r.Name == DefaultCandidate);
        if (defaultRule is not null) id[DetectorNames.Combined] = defaultRule.Evaluate(id, idStatistics);
        var idRules = rules.Select(r => r.Evaluate(id, idStatistics)).ToArray();
        if (realised is not null)
        {
            Sampling[model.Name] = (manifest.Integration?.SortedHeldOutScores.Length ?? 0, model.InDistribution.Records);
            foreach (var (detector, (_, flags)) in id)
            {
                realised.Add(new Realised(model.Name, model.Tabular, detector, seed, Share(flags)));
                DetectorRealised.Add(new Realised(model.Name, model.Tabular, detector, seed, Share(flags)));
            }
            for (var i = 0; i < rules.Length; i++)
                RuleRealised.Add(new Realised(model.Name, model.Tabular, rules[i].Name, seed, Share(idRules[i].Flags)));
        }
        foreach (var set in model.Sets)
        {
            var (ood, oodStatistics) = Score(scorer, set.Records, variants, names, detectors);
            if (MaxZ && detectors && seed == 1)
                Console.Error.WriteLine($"{model.Name}: predicted classes, share per class, in-distribution test [{ClassShares(idStatistics.Classes)}], {set.Name} [{ClassShares(oodStatistics.Classes)}]");
            if (defaultRule is not null) ood[DetectorNames.Combined] = defaultRule.Evaluate(ood, oodStatistics);
            if (PerStatistic && detectors)
            {
                AddStatisticCells(model, set, seed, DefaultVariant, manifest, idStatistics.Values, oodStatistics.Values, scorer.StatisticCount);
                if (Complexity)
                {
                    var (idMeasures, oodMeasures) = (InputMeasures(model.InDistribution), InputMeasures(set.Records));
                    for (var m = 0; m < idMeasures.Length; m++)
                        StatisticCells.Add(new StatisticCell(DefaultVariant, model.Name, set.Name, set.Role, seed, InputMeasureNames[m],
                            OodMetrics.Compute([.. idMeasures[m].Select(v => (double)v)], [.. oodMeasures[m].Select(v => (double)v)]).Auroc));
                }
            }
            foreach (var (detector, (scores, flags)) in ood)
            {
                var m = OodMetrics.Compute(id[detector].Scores, scores);
                cells.Add(new Cell(model.Name, model.Tabular, set.Name, set.Role, detector, seed, m.Auroc, m.Fpr95, Share(flags)));
            }
            for (var i = 0; i < rules.Length; i++)
            {
                var (scores, flags) = rules[i].Evaluate(ood, oodStatistics);
                var m = OodMetrics.Compute(idRules[i].Scores, scores);
                RuleCells.Add(new Cell(model.Name, model.Tabular, set.Name, set.Role, rules[i].Name, seed, m.Auroc, m.Fpr95, Share(flags)));
            }
        }
    }

    private const string DefaultVariant = "default";

    private static bool PerStatistic;

    /// <summary>The default fingerprint and each NFP_PANEL_VARIANTS build, scored with its own integration.</summary>
    private static readonly List<Cell> VariantCells = [];

    private static readonly List<Realised> VariantRealised = [];

    /// <summary>The combined detector of each variant build (its AUROC and realised FPR), for the calibration guard.</summary>
    private static readonly List<Cell> VariantCombinedCells = [];

    private static readonly List<Realised> VariantCombinedRealised = [];

    /// <summary>Each statistic's own AUROC (higher = more OOD) per build, set and seed.</summary>
    private sealed record StatisticCell(string Variant, string Model, string Set, SetRole Role, int Seed, string Statistic, double Auroc);

    private static readonly List<StatisticCell> StatisticCells = [];

    /// <summary>
    /// One option variant by name, '+' joining several: "neighboursN" (latent distance to the nearest of N training codes),
    /// "per-class-latent", "input-bottleneckB" / "input-hiddenH" (the input layer's autoencoder only).
    /// </summary>
    private static FingerprintOptions VariantOptions(FingerprintOptions options, string name)
    {
        foreach (var part in name.Split('+'))
        {
            int Number(string prefix) => int.Parse(part[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
            var input = options.InputAutoencoder ?? options.Autoencoder;
            options = part switch
            {
                _ when part.StartsWith("neighbours", StringComparison.Ordinal) => options with { LatentNeighbours = Number("neighbours"), LatentPerClass = false },
                "per-class-latent" => options with { LatentPerClass = true, LatentNeighbours = 0 },
                "no-input-complexity" => options with { InputComplexity = false },
                "input-complexity" => options with { InputComplexity = true },
                "no-input-regional" => options with { InputRegionalGrid = 0 },
                "fold-errors" => options with { FoldErrorsAtMedian = true },
                "no-fold-errors" => options with { FoldErrorsAtMedian = false },
                "fold-input-error" => options with { FoldInputErrorAtMedian = true },
                _ when part.StartsWith("input-regional", StringComparison.Ordinal) => options with { InputRegionalGrid = Number("input-regional") },
                "input-pca" => options with { InputAutoencoder = input with { Kind = AutoencoderKind.Pca } },
                _ when part.StartsWith("input-bottleneck", StringComparison.Ordinal) => options with { InputAutoencoder = input with { MaxBottleneck = Number("input-bottleneck"), MinBottleneck = Math.Min(input.MinBottleneck, Number("input-bottleneck")) } },
                _ when part.StartsWith("input-hidden", StringComparison.Ordinal) => options with { InputAutoencoder = input with { HiddenSize = Number("input-hidden") } },
                // input-ratioP / ratioP: the bottleneck at P% of the width (before its clamps), the input layer's only or every layer's.
                _ when part.StartsWith("input-ratio", StringComparison.Ordinal) => options with { InputAutoencoder = input with { BottleneckRatio = Number("input-ratio") / 100.0 } },
                _ when part.StartsWith("ratio", StringComparison.Ordinal) => options with
                {
                    Autoencoder = options.Autoencoder with { BottleneckRatio = Number("ratio") / 100.0 },
                    InputAutoencoder = options.InputAutoencoder is { } own ? own with { BottleneckRatio = Number("ratio") / 100.0 } : null,
                },
                // error-weightsP: each feature's error weighed by its inverse training mean, floored at P% of the layer's.
                _ when part.StartsWith("error-weights", StringComparison.Ordinal) => options with { ErrorWeightFloor = Number("error-weights") / 100.0 },
                // response-barP: statistics kept at responses ≥ P/100.
                _ when part.StartsWith("response-bar", StringComparison.Ordinal) => options with { StatisticResponseBar = Number("response-bar") / 100.0 },
                // input-marginalsB: a table's marginal surprise over B-bin column histograms.
                _ when part.StartsWith("input-marginals", StringComparison.Ordinal) => options with { InputMarginalBins = Number("input-marginals") },
                _ => throw new ArgumentException($"NFP_PANEL_VARIANTS: '{part}' is not a variant (neighboursN, per-class-latent, no-input-complexity, no-input-regional, input-regionalG, input-pca, input-bottleneckB, input-hiddenH, ratioP, input-ratioP, error-weightsP, input-marginalsB, response-barP, joined by '+')."),
            };
        }
        return options;
    }

    /// <summary>A variant build scored with its own integration and its combined detector on every set, plus its statistics' own AUROC.</summary>
    private static void EvaluateVariant(PanelModel model, int seed, FingerprintBuilder.Outcome outcome, string variant)
    {
        using var scorer = new FingerprintScorer(outcome.Fingerprint);
        string[] combined = outcome.Fingerprint.Detectors.Names.Contains(DetectorNames.Combined) ? [DetectorNames.Combined] : [];
        var (id, idStatistics) = Score(scorer, model.InDistribution, [], combined, withFingerprint: true);
        VariantRealised.Add(new Realised(model.Name, model.Tabular, variant, seed, Share(id[Fingerprint].Flags)));
        if (combined.Length > 0) VariantCombinedRealised.Add(new Realised(model.Name, model.Tabular, variant, seed, Share(id[DetectorNames.Combined].Flags)));
        if (outcome.Fingerprint.Manifest.Integration is { } integration)
            Console.Error.WriteLine($"{variant} {model.Name} seed {seed}: {integration.Kind}; responses {string.Join(", ", outcome.StatisticResponses?.Select(r => r.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)) ?? [])}; left out: {string.Join("; ", integration.Excluded.Select(e => e.Layer))}");
        foreach (var set in model.Sets)
        {
            var (ood, oodStatistics) = Score(scorer, set.Records, [], combined, withFingerprint: true);
            var m = OodMetrics.Compute(id[Fingerprint].Scores, ood[Fingerprint].Scores);
            VariantCells.Add(new Cell(model.Name, model.Tabular, set.Name, set.Role, variant, seed, m.Auroc, m.Fpr95, Share(ood[Fingerprint].Flags)));
            if (combined.Length > 0)
            {
                var c = OodMetrics.Compute(id[DetectorNames.Combined].Scores, ood[DetectorNames.Combined].Scores);
                VariantCombinedCells.Add(new Cell(model.Name, model.Tabular, set.Name, set.Role, variant, seed, c.Auroc, c.Fpr95, Share(ood[DetectorNames.Combined].Flags)));
            }
            if (PerStatistic) AddStatisticCells(model, set, seed, variant, outcome.Fingerprint.Manifest, idStatistics.Values, oodStatistics.Values, scorer.StatisticCount);
        }
    }

    private static void AddStatisticCells(PanelModel model, PanelSet set, int seed, string variant, FingerprintManifest manifest, float[] id, float[] ood, int count)
    {
        var names = manifest.Layers.Select((l, i) => $"{i}:{Short(l.Name)}").ToList();
        names.AddRange(manifest.Layers.Select((l, i) => (l, i)).Where(x => x.l.LatentOutput is not null).Select(x => $"{x.i}:latent").Take(count - names.Count));
        if (manifest.InputComplexityOutputs is not null) names.AddRange(NeuralFP.Core.Activations.InputComplexity.Names);
        if (manifest.InputRegionalErrorOutput is not null) names.Add(NeuralFP.Core.Activations.InputRegionalError.Name);
        if (manifest.InputMarginalsOutput is not null) names.Add(NeuralFP.Core.Activations.InputMarginals.Name);
        for (var s = 0; s < count && s < names.Count; s++)
        {
            double[] Column(float[] values) => [.. Enumerable.Range(0, values.Length / count).Select(r => (double)values[r * count + s])];
            StatisticCells.Add(new StatisticCell(variant, model.Name, set.Name, set.Role, seed, names[s], OodMetrics.Compute(Column(id), Column(ood)).Auroc));
        }
    }

    private static string Short(string tensor) => tensor.Length <= 18 ? tensor : "…" + tensor[^17..];

    private static void PrintOptionVariants(TextWriter output)
    {
        output.WriteLine("### Option variants (NFP_PANEL_VARIANTS): each build's own fingerprint and combined detector, chosen on the VALIDATION sets only");
        output.WriteLine();
        output.WriteLine("Calibration guard (item 24, fixed before the variants it judges were re-read): on every model, the fingerprint's and the");
        output.WriteLine("combined detector's realised FPR averaged over seeds within 5% ± max(1 pp, 2 pp for a table; 2·sampling sd/√seeds).");
        output.WriteLine("Only variants that pass are eligible; among them the highest validation minimum, then mean, at three decimals.");
        output.WriteLine();
        output.WriteLine("| variant | min AUROC (V) | mean AUROC (V) | min AUROC, test (not used) | mean AUROC, test (not used) | realised FPR range | combined: min AUROC (V) | combined: realised FPR range | calibration guard |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        static double ValidationMin(IEnumerable<Cell> cells) => cells.GroupBy(c => (c.Model, c.Set, c.Role)).Where(x => x.Key.Role == SetRole.Validation)
            .Select(x => x.Average(c => c.Auroc)).DefaultIfEmpty(double.NaN).Min();
        var rows = VariantCells.GroupBy(c => c.Detector).Select(g =>
        {
            var perCell = g.GroupBy(c => (c.Model, c.Set, c.Role)).Select(x => (x.Key.Role, Auroc: x.Average(c => c.Auroc))).ToArray();
            var v = perCell.Where(c => c.Role == SetRole.Validation).Select(c => c.Auroc).ToArray();
            var t = perCell.Where(c => c.Role == SetRole.Test).Select(c => c.Auroc).DefaultIfEmpty(double.NaN).ToArray();
            var fpr = VariantRealised.Where(r => r.Detector == g.Key).Select(r => r.Fpr).DefaultIfEmpty(double.NaN).ToArray();
            var combinedFpr = VariantCombinedRealised.Where(r => r.Detector == g.Key).Select(r => r.Fpr).DefaultIfEmpty(double.NaN).ToArray();
            var failures = CalibrationGuard.Failures(GuardReadings(g.Key));
            return (Name: g.Key, Min: v.Min(), Mean: v.Average(), TestMin: t.Min(), TestMean: t.Average(), FprMin: fpr.Min(), FprMax: fpr.Max(),
                CombinedMin: ValidationMin(VariantCombinedCells.Where(c => c.Detector == g.Key)), CombinedFpr: $"{combinedFpr.Min():P1}–{combinedFpr.Max():P1}", Guard: failures);
        }).OrderByDescending(r => r.Guard.Count == 0).ThenByDescending(r => Math.Round(r.Min, 3)).ThenByDescending(r => Math.Round(r.Mean, 3)).ThenBy(r => r.Name == DefaultVariant ? 0 : 1).ToArray();
        foreach (var r in rows) output.WriteLine($"| {r.Name} | {r.Min:F3} | {r.Mean:F3} | {r.TestMin:F3} | {r.TestMean:F3} | {r.FprMin:P1}–{r.FprMax:P1} | {r.CombinedMin:F3} | {r.CombinedFpr} | {CalibrationGuard.Describe(r.Guard)} |");
        output.WriteLine();
        output.WriteLine(HeldOutRun ? NothingChosen : rows.Any(r => r.Guard.Count == 0)
            ? $"Chosen (the guard, then the highest validation minimum, then mean, at three decimals; a tie keeps the default): **{rows[0].Name}**."
            : "No variant passes the calibration guard: the default stays.");
        output.WriteLine();
        var names = rows.Select(r => r.Name).ToArray();
        output.WriteLine("AUROC per cell (mean over seeds; V = validation, T = test, never used to choose), then the share of digits flagged at the calibrated threshold:");
        output.WriteLine();
        output.WriteLine($"| model | set | {string.Join(" | ", names)} |");
        output.WriteLine($"|---|---|{string.Concat(names.Select(_ => "---:|"))}");
        foreach (var group in VariantCells.GroupBy(c => (c.Model, c.Set, c.Role)).OrderBy(g => g.Key.Role))
        {
            var values = names.Select(n => group.Where(c => c.Detector == n).Select(c => c.Auroc).DefaultIfEmpty(double.NaN).Average());
            output.WriteLine($"| {group.Key.Model} | {group.Key.Set} ({(group.Key.Role == SetRole.Validation ? "V" : "T")}) | {string.Join(" | ", values.Select(v => double.IsNaN(v) ? "–" : v.ToString("F3")))} |");
        }
        foreach (var group in VariantCells.Where(c => c.Set == "digits").GroupBy(c => c.Model))
        {
            var values = names.Select(n => group.Where(c => c.Detector == n).Select(c => c.Flagged).DefaultIfEmpty(double.NaN).Average());
            output.WriteLine($"| {group.Key} | digits flagged (T) | {string.Join(" | ", values.Select(v => double.IsNaN(v) ? "–" : v.ToString("P0")))} |");
        }
        output.WriteLine();
    }

    /// <summary>Realised FPR per model, averaged over seeds, as the calibration guard reads it (detector: the label it prints).</summary>
    private static IEnumerable<CalibrationGuard.Reading> GuardReadings(IEnumerable<Realised> rows, string detector) =>
        rows.GroupBy(r => (r.Model, r.Tabular)).Select(g => new CalibrationGuard.Reading(g.Key.Model, g.Key.Tabular, detector, g.Average(r => r.Fpr), g.Count(), SamplingSd(g.Key.Model)));

    /// <summary>A variant build's readings: its fingerprint and its combined detector.</summary>
    private static IEnumerable<CalibrationGuard.Reading> GuardReadings(string variant) =>
        GuardReadings(VariantRealised.Where(r => r.Detector == variant), Fingerprint)
            .Concat(GuardReadings(VariantCombinedRealised.Where(r => r.Detector == variant), DetectorNames.Combined));

    private static void PrintStatistics(TextWriter output)
    {
        output.WriteLine("### Each statistic's own AUROC (log error or latent distance alone, higher = OOD; mean over seeds)");
        output.WriteLine();
        output.WriteLine("| build | model | set | statistics |");
        output.WriteLine("|---|---|---|---|");
        foreach (var group in StatisticCells.GroupBy(c => (c.Variant, c.Model, c.Set, c.Role)).OrderBy(g => g.Key.Model).ThenBy(g => g.Key.Variant).ThenBy(g => g.Key.Role))
        {
            var values = group.GroupBy(c => c.Statistic).Select(g => $"{g.Key} {g.Average(c => c.Auroc):F2}");
            output.WriteLine($"| {group.Key.Variant} | {group.Key.Model} | {group.Key.Set} ({(group.Key.Role == SetRole.Validation ? "V" : "T")}) | {string.Join(", ", values)} |");
        }
        output.WriteLine();
    }

    /// <summary>Every combination rule fitted on the same members and held-out records as the build's combined detector, each
    /// with its own calibrated threshold: the evidence the default rule is chosen on (validation sets only).</summary>
    private static readonly List<Cell> RuleCells = [];

    private static readonly List<Realised> RuleRealised = [];

    private static readonly List<Realised> DetectorRealised = [];

    /// <summary>Per model: the fingerprint's calibration records and the in-distribution test records (what the realised FPR's spread follows from).</summary>
    private static readonly Dictionary<string, (int Calibration, int Test)> Sampling = [];

    /// <summary>The spread a perfectly calibrated 5% threshold still shows from seed to seed (item 5): its quantile is read on
    /// n_cal calibration scores and its rate counted on n_test records, sd ≈ √(α(1−α)(1/n_cal + 1/n_test)); NaN when unknown.</summary>
    private static double SamplingSd(string model)
    {
        var (cal, test) = Sampling.GetValueOrDefault(model);
        return cal > 0 && test > 0 ? Math.Sqrt(0.05 * 0.95 * (1.0 / cal + 1.0 / test)) : double.NaN;
    }

    private sealed record CombinedRule(string Name, Func<Dictionary<string, (double[] Scores, bool[] Flags)>, (float[] Values, int[] Classes), (double[] Scores, bool[] Flags)> Evaluate);

    /// <summary>The options whose combined rule and members the "combined" column shows.</summary>
    private static FingerprintOptions DefaultCombined = new();

    private static string DefaultName => $"default: {DefaultCombined.CombinedRule}{(DefaultCombined.CombinedRule == CombinedDetector.WeightedMinPRule ? $" {DefaultCombined.CombinedFingerprintShare}" : "")} [fp+{string.Join("+", DefaultCombined.CombinedMembers)}]";

    private static string DefaultCandidate => $"combined, {DefaultName}";

    /// <summary>The partners the panel's builds give the combined detector: the default's and every candidate's.</summary>
    private static IReadOnlyList<string> CandidatePool(FingerprintOptions defaults) =>
        [.. new[] { DetectorNames.Knn, DetectorNames.Energy, DetectorNames.Mahalanobis }.Union(defaults.CombinedMembers)];

    private static CombinedRule[] CombinedRules(FingerprintScorer scorer, double targetFpr)
    {
        if (!scorer.Fingerprint.Detectors.Names.Contains(DetectorNames.Combined)) return [];
        var combined = (CombinedDetector)scorer.Fingerprint.Detectors[DetectorNames.Combined].Detector;
        var count = scorer.StatisticCount;
        // Every rule on the build's members, the weighted rule at other shares, and member subsets under the rules that
        // read the fingerprint as one voice: all refitted on the same held-out records (candidates chosen on validation sets).
        var candidates = new List<(string Name, CombinedDetector Fit)>();
        void Add(string name, IReadOnlyList<string> members, string rule, double share = CombinedDetector.DefaultFingerprintShare)
        {
            if (!members.All(combined.Members.Contains)) return; // a partner this model cannot support
            try { candidates.Add((name, combined.Refit(members, rule, share))); }
            catch (ArgumentException) { } // e.g. a per-class rule on a model without class outputs
        }
        var d = DefaultCombined;
        Add(DefaultName, [CombinedDetector.FingerprintMember, .. d.CombinedMembers], d.CombinedRule, d.CombinedFingerprintShare);
        foreach (var rule in CombinedDetector.Rules) Add(rule, combined.Members, rule);
        if (Environment.GetEnvironmentVariable("NFP_PANEL_RULE_SEEDS") == "1") Add("fingerprint member alone", [CombinedDetector.FingerprintMember], CombinedDetector.MinPRule);
        foreach (var share in new[] { 0.5, 0.9 })
        {
            Add($"{CombinedDetector.WeightedMinPRule} {share}", combined.Members, CombinedDetector.WeightedMinPRule, share);
            Add($"{CombinedDetector.FingerprintOrDensityRule} {share}", combined.Members, CombinedDetector.FingerprintOrDensityRule, share);
        }
        string[][] subsets = [[DetectorNames.Knn], [DetectorNames.Mahalanobis], [DetectorNames.Energy], [DetectorNames.Knn, DetectorNames.Mahalanobis]];
        foreach (var subset in subsets)
            foreach (var rule in new[] { CombinedDetector.GaussianPerClassRule, CombinedDetector.ScoreGaussianPerClassRule, CombinedDetector.WeightedMinPRule, CombinedDetector.DecorrelatedFisherRule, CombinedDetector.FingerprintOrDensityRule, CombinedDetector.NeighboursPerClassRule, CombinedDetector.NeighboursRule })
                Add($"{rule} [fp+{string.Join("+", subset)}]", [CombinedDetector.FingerprintMember, .. subset], rule);
        // The densities over the fingerprint's statistics alone (no partner): what a partner adds to them.
        foreach (var rule in new[] { CombinedDetector.GaussianPerClassRule, CombinedDetector.NeighboursPerClassRule, CombinedDetector.NeighboursRule })
            Add($"{rule} [fp]", [CombinedDetector.FingerprintMember], rule);
        var fits = candidates.ToDictionary(c => c.Name, c => c.Fit);
        double[] RuleScores(string rule, Dictionary<string, (double[] Scores, bool[] Flags)> result, (float[] Values, int[] Classes) statistics)
        {
            var fit = fits[rule];
            var members = fit.Members.Select(m => result[m == CombinedDetector.FingerprintMember ? Fingerprint : m].Scores).ToArray();
            var scores = new double[members[0].Length];
            fit.Combine(members, scores, statistics.Values, count, statistics.Classes);
            return scores;
        }
        var list = candidates.Select(candidate =>
        {
            var calibration = ScoreCalibration.Fit(candidate.Fit.CalibrationScores, targetFpr);
            return new CombinedRule($"combined, {candidate.Name}", (result, statistics) =>
            {
                var scores = RuleScores(candidate.Name, result, statistics);
                return (scores, scores.Select(calibration.IsOod).ToArray());
            });
        }).ToList();
        // Also measured: the union of the Fisher and Gaussian rules (the larger of their conformal evidence, each against its own
        // calibration scores, tails extended as the p-value rules do), a rule that guards each against the other's blind spot.
        var f = Tail(fits[CombinedDetector.FisherRule].CalibrationScores);
        var g = Tail(fits[CombinedDetector.GaussianRule].CalibrationScores);
        double[] Union(double[] fs, double[] gs) => [.. fs.Select((x, i) => Math.Max(f(x), g(gs[i])))];
        var unionCalibration = ScoreCalibration.Fit(Union(fits[CombinedDetector.FisherRule].CalibrationScores, fits[CombinedDetector.GaussianRule].CalibrationScores), targetFpr);
        list.Add(new CombinedRule("combined, fisher∪gaussian", (result, statistics) =>
        {
            var scores = Union(RuleScores(CombinedDetector.FisherRule, result, statistics), RuleScores(CombinedDetector.GaussianRule, result, statistics));
            return (scores, scores.Select(unionCalibration.IsOod).ToArray());
        }));
        // Also measured: the union of the fingerprint's own verdict and the per-class density (the larger conformal evidence,
        // each against its own cross-fitted calibration scores), so a partner that dilutes the fingerprint cannot hide it.
        // Flagged when either p-value is below α/2 (Bonferroni), as the two calibration sets are not paired records.
        if (scorer.Fingerprint.Manifest.Integration is { } integration)
        {
            var fp = Tail(integration.SortedHeldOutScores);
            var pc = Tail(fits[CombinedDetector.GaussianPerClassRule].CalibrationScores);
            var bound = -Math.Log(targetFpr / 2);
            list.Add(new CombinedRule("combined, fingerprint∪gaussian-per-class", (result, statistics) =>
            {
                var g = RuleScores(CombinedDetector.GaussianPerClassRule, result, statistics);
                var scores = result[Fingerprint].Scores.Select((x, i) => Math.Max(fp(x), pc(g[i]))).ToArray();
                return (scores, scores.Select(v => v > bound).ToArray());
            }));
        }
        return [.. list];
    }

    private static Func<double, double> Tail(double[] heldOut)
    {
        var sorted = heldOut.Order().ToArray();
        double q90 = sorted[(int)(0.9 * (sorted.Length - 1))], q99 = sorted[(int)(0.99 * (sorted.Length - 1))];
        var scale = q99 - q90 > 1e-12 ? q99 - q90 : 1.0;
        return score =>
        {
            int lo = 0, hi = sorted.Length;
            while (lo < hi) { var mid = (lo + hi) >>> 1; if (sorted[mid] < score) lo = mid + 1; else hi = mid; }
            var p = (1.0 + sorted.Length - lo) / (sorted.Length + 1);
            return -Math.Log(p) + (score > sorted[^1] ? Math.Min((score - sorted[^1]) / scale, 1e6) * 2.302585092994046 : 0);
        };
    }

    private static void PrintCombinedRules(TextWriter output, List<Cell> cells)
    {
        if (RuleCells.Count == 0) return;
        var rules = RuleCells.Select(c => c.Detector).Distinct().ToArray();
        output.WriteLine("### Combined detector: every rule on the same members and held-out fit (AUROC, mean over seeds)");
        output.WriteLine();
        output.WriteLine($"| model | set | {string.Join(" | ", rules)} | best single detector |");
        output.WriteLine($"|---|---|{string.Concat(rules.Select(_ => "---:|"))}---:|");
        foreach (var group in RuleCells.GroupBy(c => (c.Model, c.Set, c.Role)))
        {
            var best = cells.Where(c => c.Model == group.Key.Model && c.Set == group.Key.Set && c.Detector is not DetectorNames.Combined && !IsFingerprintVariant(c.Detector))
                .GroupBy(c => c.Detector).Max(g => g.Average(c => c.Auroc));
            var values = rules.Select(r => group.Where(c => c.Detector == r).Average(c => c.Auroc).ToString("F3"));
            output.WriteLine($"| {group.Key.Model} | {group.Key.Set} ({(group.Key.Role == SetRole.Validation ? "V" : "T")}) | {string.Join(" | ", values)} | {best:F3} |");
        }
        output.WriteLine();
        output.WriteLine("Selection of the rule, VALIDATION sets only (AUROC per cell averaged over seeds; shortfall = cells below the best single detector − 0.01):");
        output.WriteLine();
        var bestSingle = cells.Where(c => c.Detector is not DetectorNames.Combined && !IsFingerprintVariant(c.Detector))
            .GroupBy(c => (c.Model, c.Set, c.Detector)).Select(g => (g.Key, Auroc: g.Average(c => c.Auroc)))
            .GroupBy(x => (x.Key.Model, x.Key.Set)).ToDictionary(g => g.Key, g => g.Max(x => x.Auroc));
        // Ordered as the choice is made: the calibration guard on the rule's own realised FPR (item 25, registered before it
        // ran), fewest validation shortfalls, then the highest validation minimum, then mean, both at the printed precision;
        // a tie there keeps the default (a difference below 0.001 is far inside the seeds' spread).
        var rows = rules.Select(rule =>
        {
            var perCell = RuleCells.Where(c => c.Detector == rule).GroupBy(c => (c.Model, c.Set, c.Role)).Select(g => (g.Key, Auroc: g.Average(c => c.Auroc))).ToArray();
            var v = perCell.Where(c => c.Key.Role == SetRole.Validation).ToArray();
            var t = perCell.Where(c => c.Key.Role == SetRole.Test).ToArray();
            int Short(IEnumerable<((string Model, string Set, SetRole Role) Key, double Auroc)> x) => x.Count(c => c.Auroc < bestSingle[(c.Key.Model, c.Key.Set)] - 0.01);
            var fpr = RuleRealised.Where(r => r.Detector == rule).Select(r => r.Fpr).DefaultIfEmpty(double.NaN).ToArray();
            var worst = v.Select(c => (c.Key, Gap: c.Auroc - bestSingle[(c.Key.Model, c.Key.Set)])).Where(c => c.Gap < -0.01).Select(c => $"{c.Key.Model}/{c.Key.Set} {c.Gap:+0.000;-0.000}");
            var guard = CalibrationGuard.Failures(GuardReadings(RuleRealised.Where(r => r.Detector == rule), DetectorNames.Combined));
            return (Rule: rule, VMin: v.Min(c => c.Auroc), VMean: v.Average(c => c.Auroc), VShort: Short(v), TMin: t.Length == 0 ? double.NaN : t.Min(c => c.Auroc), TMean: t.Length == 0 ? double.NaN : t.Average(c => c.Auroc), TShort: Short(t),
                Fpr: $"{fpr.Min():P1}–{fpr.Max():P1}", Guard: guard, Where: string.Join(", ", worst));
        }).OrderBy(r => r.Guard.Count == 0 ? 0 : 1).ThenBy(r => r.VShort).ThenByDescending(r => Math.Round(r.VMin, 3)).ThenByDescending(r => Math.Round(r.VMean, 3))
            .ThenBy(r => r.Rule == DefaultCandidate ? 0 : 1).ToArray();
        output.WriteLine("| rule | calibration guard | shortfalls (V) | min AUROC (V) | mean AUROC (V) | min AUROC, test (not used) | mean AUROC, test (not used) | shortfalls, test (not used) | realised FPR range | validation shortfalls |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in rows)
            output.WriteLine($"| {r.Rule} | {CalibrationGuard.Describe(r.Guard)} | {r.VShort} | {r.VMin:F3} | {r.VMean:F3} | {(double.IsNaN(r.TMin) ? "–" : r.TMin.ToString("F3"))} | {(double.IsNaN(r.TMean) ? "–" : r.TMean.ToString("F3"))} | {r.TShort} | {r.Fpr} | {r.Where} |");
        output.WriteLine();
        output.WriteLine(HeldOutRun ? NothingChosen : $"Chosen on the validation sets (the calibration guard on each rule's realised FPR, then fewest shortfalls, then minimum, then mean, at three decimals; a tie keeps the default): **{rows[0].Rule}**.");
        output.WriteLine();
        if (Environment.GetEnvironmentVariable("NFP_PANEL_RULE_SEEDS") == "1")
            foreach (var group in RuleRealised.Concat(DetectorRealised).GroupBy(r => (r.Model, r.Detector)))
                output.WriteLine($"realised per seed | {group.Key.Model} | {group.Key.Detector} | {string.Join(" ", group.OrderBy(r => r.Seed).Select(r => r.Fpr.ToString("P1")))}");
    }

    /// <summary>Scores one record's statistics, given the model's predicted class for it; <see cref="ReadsInputMeasures"/>: the
    /// statistics are followed by <see cref="InputMeasures"/> of the record.</summary>
    /// <param name="Measures">Further statistics it reads, computed from a set's records and appended after the build's own.</param>
    private sealed record Variant(string Name, Func<float[], int, (double Score, bool Ood)> Evaluate, bool ReadsInputMeasures = false, Func<FloatTensor, float[][]>? Measures = null);

    private static bool Complexity;

    private static bool Union;

    /// <summary>
    /// The default (Gaussian) fingerprint joined with a one-sided rule over the same statistics (one-out's smallest p-value, or
    /// Fisher's sum): the larger of the two conformal evidences (−ln p against each rule's calibration scores; the Gaussian's
    /// are its cross-fitted ones), flagged when either p is below α/2 (Bonferroni). A full-covariance density dilutes one
    /// statistic that moves far (each layer alone reaches higher AUROC on digits than the density over all of them), while a
    /// one-sided rule keeps it; the density keeps what a one-sided rule cannot see (blur: errors that are too small).
    /// </summary>
    private static IEnumerable<Variant> UnionVariants(FingerprintManifest manifest, IReadOnlyList<float[]> calibration, int[]? classes)
    {
        if (manifest.Integration is not { } gaussian || !IntegrationKinds.IsDensity(gaussian.Kind)) yield break;
        if (manifest.InputComplexityOutputs is not null) yield break; // (measured before the input's complexity was a statistic)
        var latent = gaussian.StatisticCount > manifest.Layers.Count;
        var g = Tail(gaussian.SortedHeldOutScores);
        var bound = -Math.Log(manifest.Options.TargetFpr / 2);
        var count = gaussian.StatisticCount;
        var rows = calibration[0].Length;
        foreach (var kind in new[] { IntegrationKinds.OneOut, IntegrationKinds.Fisher })
        {
            var other = Fit(kind, kind, manifest, calibration, skip: -1, latent, twoSided: false, classes: classes);
            var row = new float[calibration.Count];
            var heldOut = new double[rows];
            for (var r = 0; r < rows; r++)
            {
                for (var i = 0; i < row.Length; i++) row[i] = calibration[i][r];
                heldOut[r] = other.Evaluate(row, classes?[r] ?? -1).Score;
            }
            var o = Tail(heldOut);
            yield return new Variant($"fingerprint (∪ {kind})", (statistics, predicted) =>
            {
                var score = Math.Max(g(gaussian.Score(manifest.Rule, statistics.AsSpan(0, count), predicted)), o(other.Evaluate(statistics, predicted).Score));
                return (score, score > bound);
            });
        }
    }

    /// <summary>
    /// Cheap complexity measures of the raw input record (in the spirit of Serrà et al. 2020: simple inputs reconstruct well
    /// whatever their distribution): its mean square (energy) and its mean absolute difference between neighbours along the
    /// last axis and, for a record of rank ≥ 2, the one before (a total variation). The Gaussian reads their logs beside the
    /// layers' log errors, so an input error is judged against the record's own complexity. Measured here as a re-fit on
    /// the default build's calibration records before any graph carries it.
    /// </summary>
    private static float[][] InputMeasures(FloatTensor records)
    {
        int n = records.Records, d = records.RecordLength;
        var shape = records.Shape.Skip(1).Where(x => x > 1).ToArray();
        var width = shape.Length >= 1 ? shape[^1] : d;
        var height = shape.Length >= 2 ? shape[^2] : 1;
        var energy = new float[n];
        var variation = new float[n];
        for (var r = 0; r < n; r++)
        {
            var x = records.Record(r);
            double e = 0, tv = 0;
            long pairs = 0;
            for (var i = 0; i < d; i++)
            {
                e += x[i] * (double)x[i];
                if ((i % width) + 1 < width) { tv += Math.Abs(x[i + 1] - x[i]); pairs++; }
                if (height > 1 && (i / width % height) + 1 < height) { tv += Math.Abs(x[i + width] - x[i]); pairs++; }
            }
            energy[r] = (float)(e / d);
            variation[r] = (float)(tv / Math.Max(pairs, 1));
        }
        return [energy, variation];
    }

    private static readonly string[] InputMeasureNames = ["input energy", "input variation"];

    /// <summary>NFP_PANEL_LAYER_REGIONS=1: <see cref="LayerRegionVariants"/>.</summary>
    private static bool LayerRegions;

    /// <summary>
    /// The input's regional error carried over to the pooled hidden layers, as a re-fit: for each layer pooled into cells (a
    /// k×k grid of a map, S time segments of a sequence), the largest over cells of the mean squared residual of the cell's
    /// features (grid features are channel-major, so cell = feature mod cells; segment features hidden-major, the same),
    /// one more statistic per such layer. Benchmark-only, computed from each layer's squared residuals (the explanation
    /// graph's cut of scorer.onnx).
    /// </summary>
    private static IEnumerable<Variant> LayerRegionVariants(PanelModel model, Fingerprint fingerprint, IReadOnlyList<float[]> calibration, int[]? classes)
    {
        var manifest = fingerprint.Manifest;
        var pooled = new List<(string Output, int Features, int Cells)>();
        foreach (var layer in manifest.Layers)
        {
            var spec = NeuralFP.Core.Activations.PoolingSpec.Parse(layer.Pooling);
            var cells = spec.Kind switch
            {
                NeuralFP.Core.Activations.PoolingKind.Grid when spec.Grid >= 2 && layer.TapShape.Length >= 2 => layer.Features / layer.TapShape[0],
                NeuralFP.Core.Activations.PoolingKind.TimeSegments => spec.Grid,
                _ => 0,
            };
            if (cells >= 2) pooled.Add((layer.ErrorOutput, layer.Features, cells));
        }
        if (pooled.Count == 0) yield break;
        var graphs = pooled.Select(p => NeuralFP.Core.Explanations.InputErrorGraph.Build(fingerprint.ScorerOnnx, p.Output, p.Features)).ToArray();
        float[][] Measure(FloatTensor records) => [.. pooled.Select((p, i) => LargestCellErrors(graphs[i], manifest.InputName, records, p.Features, p.Cells))];
        var options = manifest.Options;
        var split = ReferenceSplit.Create(model.Reference.Records, options.HeldOutFraction, options.ValidationFraction, options.Seed, options.MaxTrainingRecords);
        var measured = Measure(model.Reference.Gather(split.Calibration));
        var kind = manifest.Integration?.Kind ?? IntegrationKinds.NeighboursPerClass;
        var layers = manifest.Layers.Count;
        var rule = OneOutRule.Calibrate(manifest.Layers.Select(l => l.Name).ToArray(), calibration.Take(layers).ToArray(), options.TargetFpr, options.TwoSided);
        var names = Enumerable.Range(0, calibration.Count + measured.Length - layers).Select(i => $"statistic {layers + i}").ToArray();
        var integration = LayerIntegration.Calibrate(kind, rule, [.. calibration, .. measured], options.TargetFpr, names, IntegrationKinds.ReadsClasses(kind) ? classes : null, foldErrorsAtMedian: options.FoldErrorsAtMedian, unfoldedLayers: options.FoldInputErrorAtMedian ? null : [manifest.InputName]);
        yield return new Variant($"{Fingerprint} (+largest cell per pooled layer)", (statistics, predicted) =>
        {
            var score = integration.Score(rule, statistics, predicted);
            return (score, integration.IsOod(score));
        }, Measures: Measure);
    }

    /// <summary>Per record, the largest over cells of the mean of (z − ẑ)² over the cell's features (feature mod cells).</summary>
    private static float[] LargestCellErrors(byte[] graph, string inputName, FloatTensor records, int features, int cells)
    {
        using var options = FingerprintScorer.CreateSessionOptions();
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(graph, options);
        var d = records.RecordLength;
        var result = new float[records.Records];
        var sums = new double[cells];
        const int chunk = 1024;
        for (var start = 0; start < records.Records; start += chunk)
        {
            var count = Math.Min(chunk, records.Records - start);
            long[] shape = [count, .. records.Shape.Skip(1).Select(x => (long)x)];
            using var value = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(Microsoft.ML.OnnxRuntime.OrtMemoryInfo.DefaultInstance, records.Data.AsMemory(start * d, count * d), shape);
            using var runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
            using var outputs = session.Run(runOptions, [inputName], [value], [NeuralFP.Core.Explanations.InputErrorGraph.OutputName]);
            var squared = outputs[0].GetTensorDataAsSpan<float>();
            for (var r = 0; r < count; r++)
            {
                Array.Clear(sums);
                var row = squared.Slice(r * features, features);
                for (var f = 0; f < features; f++) sums[f % cells] += row[f];
                result[start + r] = (float)(sums.Max() * cells / features);
            }
        }
        return result;
    }

    /// <summary>The default integration re-fitted on the calibration statistics plus the calibration records' input measures
    /// (the records the build's seeded split held out, in its order), and with the variation alone.</summary>
    private static IEnumerable<Variant> ComplexityVariants(PanelModel model, FingerprintManifest manifest, IReadOnlyList<float[]> calibration, int[]? classes)
    {
        var options = manifest.Options;
        if (manifest.InputComplexityOutputs is not null) yield break; // the build already reads them
        var split = ReferenceSplit.Create(model.Reference.Records, options.HeldOutFraction, options.ValidationFraction, options.Seed, options.MaxTrainingRecords);
        var measures = InputMeasures(model.Reference.Gather(split.Calibration));
        if (measures[0].Length != calibration[0].Length) throw new InvalidOperationException($"The panel's split gives {measures[0].Length} calibration records; the build kept {calibration[0].Length}.");
        var kind = manifest.Integration?.Kind ?? IntegrationKinds.GaussianPerClass;
        var layers = manifest.Layers.Count;
        var rule = OneOutRule.Calibrate(manifest.Layers.Select(l => l.Name).ToArray(), calibration.Take(layers).ToArray(), options.TargetFpr, options.TwoSided);
        var latentNames = Enumerable.Range(0, calibration.Count - layers).Select(i => $"latent {i}").ToArray();
        foreach (var (name, pick) in new[] { ("fingerprint (+complexity)", new[] { 0, 1 }), ("fingerprint (+variation)", new[] { 1 }) })
        {
            var statistics = calibration.Concat(pick.Select(m => measures[m])).ToArray();
            var integration = LayerIntegration.Calibrate(kind, rule, statistics, options.TargetFpr, [.. latentNames, .. pick.Select(m => InputMeasureNames[m])], IntegrationKinds.ReadsClasses(kind) ? classes : null, foldErrorsAtMedian: options.FoldErrorsAtMedian, unfoldedLayers: options.FoldInputErrorAtMedian ? null : [manifest.InputName]);
            var count = calibration.Count;
            var buffer = new float[count + pick.Length];
            yield return new Variant(name, (all, predicted) =>
            {
                all.AsSpan(0, count).CopyTo(buffer);
                for (var i = 0; i < pick.Length; i++) buffer[count + i] = all[count + pick[i]];
                var score = integration.Score(rule, buffer, predicted);
                return (score, integration.IsOod(score));
            }, ReadsInputMeasures: true);
        }
    }

    /// <summary>A column that re-fits the default fingerprint another way (not a detector of its own).</summary>
    private static bool IsFingerprintVariant(string detector) => detector is NoInput or WithInput || detector.StartsWith("fingerprint ", StringComparison.Ordinal);

    /// <summary>How a build's default fingerprint was fitted: its input layer (−1: none), whether its statistics include the
    /// latent distances, and its integration kind; re-fits of it take the same.</summary>
    /// <summary>The default fingerprint's input layer, whether it reads latent distances, and its integration kind: a build
    /// left with one statistic reads it by its p-value (fisher), and its re-fits start from the density it was asked for.</summary>
    private static (int Input, bool Latent, string Kind) DefaultFit(FingerprintManifest manifest)
    {
        var kind = manifest.Integration?.Kind ?? IntegrationKinds.OneOut;
        if (kind == IntegrationKinds.Fisher && IntegrationKinds.IsDensity(manifest.Options.Integration)) kind = manifest.Options.Integration;
        return (InputLayer(manifest), manifest.Integration?.StatisticCount > manifest.Layers.Count, kind);
    }

    /// <summary>
    /// The default fingerprint's ablation without the model-input layer (same integration, re-fitted on the same calibration
    /// errors), and the fingerprint under the other Gaussian integration (one mean ↔ one mean per predicted class), fitted on
    /// the same calibration statistics of the same build, so the two are compared on the same autoencoders and seeds.
    /// </summary>
    /// <param name="responses">The build's statistic responses, when it selected its statistics by them: the re-fits select among theirs alike.</param>
    private static List<Variant> DefaultVariants(FingerprintManifest manifest, IReadOnlyList<float[]> calibration, int[]? classes, double[]? responses)
    {
        var (input, latent, kind) = DefaultFit(manifest);
        var list = new List<Variant>();
        if (input >= 0 && manifest.Layers.Count > 1) list.Add(Fit(NoInput, kind, manifest, calibration, skip: input, latent, classes: classes, responses: responses));
        if (responses is not null)
            list.Add(Fit(EveryStatistic, kind, manifest, calibration, skip: -1, latent, classes: classes));
        var other = kind switch
        {
            IntegrationKinds.Gaussian when classes is not null => IntegrationKinds.GaussianPerClass,
            IntegrationKinds.GaussianPerClass => IntegrationKinds.Gaussian,
            _ => null,
        };
        if (other is not null) list.Add(Fit($"fingerprint ({other})", other, manifest, calibration, skip: -1, latent, classes: classes, responses: responses));
        // NFP_PANEL_DENSITIES: other densities over the same statistics, each re-fitted on the same calibration statistics of
        // the same build (a kind that reads classes only on a model with class outputs).
        // "kind@k" sets the neighbour kinds' k.
        foreach (var entry in Densities)
        {
            var (density, k) = DensityEntry(entry);
            if (density == kind && k is null || density == other && k is null || classes is null && IntegrationKinds.ReadsClasses(density)) continue;
            list.Add(Fit($"fingerprint ({entry})", density, manifest, calibration, skip: -1, latent, classes: classes, neighbours: k, responses: responses));
        }
        if (NormalScoreVariants && IntegrationKinds.IsDensity(kind))
        {
            list.Add(Fit($"{Fingerprint} (normal scores)", kind, manifest, calibration, skip: -1, latent, classes: classes, normalScores: true));
            if (input >= 0 && manifest.Layers.Count > 1) list.Add(Fit($"{NoInput} (normal scores)", kind, manifest, calibration, skip: input, latent, classes: classes, normalScores: true));
        }
        if (MaxZ && IntegrationKinds.IsDensity(kind))
            foreach (var skip in input >= 0 && manifest.Layers.Count > 1 ? new[] { -1, input } : [-1])
            {
                var suffix = skip < 0 ? "" : " −input";
                list.Add(Fit($"fingerprint{suffix} (max-z)", kind, manifest, calibration, skip, latent, classes: classes, maxZ: MaxZMode.Only));
                list.Add(Fit($"fingerprint{suffix} (∪ max-z)", kind, manifest, calibration, skip, latent, classes: classes, maxZ: MaxZMode.Union));
                list.Add(Fit($"fingerprint{suffix} (max-z up)", kind, manifest, calibration, skip, latent, classes: classes, maxZ: MaxZMode.UpperOnly));
                list.Add(Fit($"fingerprint{suffix} (∪ max-z up)", kind, manifest, calibration, skip, latent, classes: classes, maxZ: MaxZMode.UpperUnion));
                list.Add(Fit($"fingerprint{suffix} (min-p up)", kind, manifest, calibration, skip, latent, classes: classes, maxZ: MaxZMode.RankOnly));
                list.Add(Fit($"fingerprint{suffix} (∪ min-p up)", kind, manifest, calibration, skip, latent, classes: classes, maxZ: MaxZMode.RankUnion));
                list.Add(Fit($"fingerprint{suffix} (∪ min-p two-sided)", kind, manifest, calibration, skip, latent, classes: classes, maxZ: MaxZMode.RankTwoSidedUnion));
                list.Add(Fit($"fingerprint{suffix} (∪ min-p up .99)", kind, manifest, calibration, skip, latent, classes: classes, maxZ: MaxZMode.RankUnion, excessQuantile: 0.99));
                list.Add(Fit($"fingerprint{suffix} (∪ min-p up .999)", kind, manifest, calibration, skip, latent, classes: classes, maxZ: MaxZMode.RankUnion, excessQuantile: 0.999));
                if (kind == IntegrationKinds.GaussianPerClass)
                    foreach (var q in new[] { 0.95, 0.99 })
                        list.Add(Fit($"fingerprint{suffix} (∪ one mean{(q == 0.95 ? "" : " .99")})", kind, manifest, calibration, skip, latent, classes: classes, maxZ: MaxZMode.OneMeanUnion, excessQuantile: q));
                if (skip >= 0) list.Add(Fit($"fingerprint{suffix} (gaussian)", IntegrationKinds.Gaussian, manifest, calibration, skip, latent, classes: classes));
                // The per-class fit (within-class covariance) with every record measured from the overall mean: does the
                // predicted class's mean hide the shift, or the covariance?
                if (skip >= 0 && kind == IntegrationKinds.GaussianPerClass)
                    list.Add(Fit($"fingerprint{suffix} (per-class fit, overall mean)", kind, manifest, calibration, skip, latent, classes: classes, overallMean: true));
            }
        return list;
    }

    private static bool MaxZ;

    /// <summary>NFP_PANEL_NORMAL_SCORES=1: the default integration re-fitted on each statistic's normal scores
    /// (<see cref="NormalScores"/>) instead of its log, with and without the input layer.</summary>
    private static bool NormalScoreVariants;

    /// <summary>NFP_PANEL_LAYER_ABLATION=1: the default integration re-fitted without each layer in turn (its error and latent
    /// distance), on the same calibration statistics of the same build: the value half of the performance issue's "per-layer
    /// cost beside per-layer value" (the cost half: <c>scorergraph</c> with NFP_GRAPH_LAYERS=1).</summary>
    private static bool LayerAblation;

    private const string WithoutLayer = "fingerprint −layer ";

    /// <summary>Per model, its fingerprinted layers in order (the legend of the ablation's "−layer k" columns).</summary>
    private static readonly Dictionary<string, (string[] Names, int Input)> ModelLayers = [];

    private static IEnumerable<Variant> LayerAblationVariants(FingerprintManifest manifest, IReadOnlyList<float[]> calibration, int[]? classes, double[]? responses)
    {
        var (input, latent, kind) = DefaultFit(manifest);
        // The input layer's own ablation is the NoInput column (which also leaves out the input's complexity measures).
        for (var l = 0; l < manifest.Layers.Count; l++)
            if (l != input && manifest.Layers.Count > 1)
                yield return Fit(WithoutLayer + (l + 1), kind, manifest, calibration, skip: l, latent, classes: classes, responses: responses);
        // Jointly: only the input and the first two hidden layers (single removals do not add up).
        var deeper = Enumerable.Range(0, manifest.Layers.Count).Where(l => l != input).Skip(2).ToArray();
        if (deeper.Length > 0)
            yield return Fit(FirstTwoHidden, kind, manifest, calibration, skip: -1, latent, classes: classes, skipAlso: deeper, responses: responses);
        // The input layer alone (a table's hidden layers may only dilute it), with and without the input's other statistics.
        var hidden = Enumerable.Range(0, manifest.Layers.Count).Where(l => l != input).ToArray();
        if (input >= 0 && hidden.Length > 0)
        {
            yield return Fit(InputOnly, kind, manifest, calibration, skip: -1, latent, classes: classes, skipAlso: hidden, responses: responses);
            yield return Fit(InputOnly + ", error and latent", kind, manifest, calibration, skip: -1, latent, classes: classes, skipAlso: hidden, inputStatistics: false, responses: responses);
        }
    }

    private const string InputOnly = "fingerprint, input layer only";

    /// <summary>The default fingerprint re-fitted on every statistic: what the response-shift selection changes (item 20).</summary>
    private const string EveryStatistic = "fingerprint (every statistic)";

    /// <summary>NFP_PANEL_SELECTION=1: each statistic's response to the self-check's response shifts (two-record mixtures,
    /// tiles or columns swapped: kinds that no validation or test set has), and the default integration re-fitted without
    /// the statistics that move less than a bar under every one of them.</summary>
    private static bool Selection;

    private static readonly double[] SelectionBars = [0.55, 0.6, 0.65, 0.7, 0.75, 0.8];

    private static readonly List<(string Model, int Seed, double[] Responses)> Responses = [];

    private static string Selected(double bar) => string.Create(CultureInfo.InvariantCulture, $"fingerprint (responses ≥ {bar:0.00})");

    private static IEnumerable<Variant> SelectionVariants(FingerprintManifest manifest, IReadOnlyList<float[]> calibration, int[]? classes, double[] responses)
    {
        var (_, latent, kind) = DefaultFit(manifest);
        // The best statistic stays, and so does the best layer error (the integration reads at least one layer).
        var best = Array.IndexOf(responses, responses.Max());
        var bestLayer = Enumerable.Range(0, manifest.Layers.Count).MaxBy(j => responses[j]);
        foreach (var bar in SelectionBars)
        {
            var drop = Enumerable.Range(0, responses.Length).Where(j => j != best && j != bestLayer && responses[j] < bar).ToArray();
            yield return Fit(Selected(bar), kind, manifest, calibration, skip: -1, latent, classes: classes, dropStatistics: drop);
        }
        // Other readings of the statistics the build selected (on a table it keeps one): Fisher's sum of their one-sided
        // p-values, the density without classes, larger k. (One statistic left is read by its p-value in every re-fit, as
        // in the build: item 21.)
        yield return Fit("fingerprint (selected, fisher)", IntegrationKinds.Fisher, manifest, calibration, skip: -1, latent, classes: classes, responses: responses);
        yield return Fit("fingerprint (selected, neighbours)", IntegrationKinds.Neighbours, manifest, calibration, skip: -1, latent, classes: classes, responses: responses);
        yield return Fit("fingerprint (selected, gaussian-per-class)", IntegrationKinds.GaussianPerClass, manifest, calibration, skip: -1, latent, classes: classes, responses: responses);
        foreach (var k in new[] { 5, 10, 25 })
            yield return Fit($"fingerprint (selected, k = {k})", kind, manifest, calibration, skip: -1, latent, classes: classes, neighbours: k, responses: responses);
        // Kinds of statistics left out whatever they respond to: the latent distances, the input's complexity and regional error.
        var layers = manifest.Layers.Count;
        var latents = Enumerable.Range(layers, manifest.Layers.Count(l => l.LatentOutput is not null)).ToArray();
        var inputStatistics = Enumerable.Range(layers + latents.Length, calibration.Count - layers - latents.Length).ToArray();
        // The default folds every layer's error at its median (FingerprintOptions.FoldErrorsAtMedian); beside it, the errors
        // read both ways and other sets of statistics folded.
        yield return Fit("fingerprint (errors read both ways)", kind, manifest, calibration, skip: -1, latent, classes: classes, fold: _ => false);
        var input = InputLayer(manifest);
        yield return Fit("fingerprint (hidden layers' errors folded)", kind, manifest, calibration, skip: -1, latent, classes: classes, fold: l => l < layers && l != input);
        yield return Fit("fingerprint (the input layer's error folded)", kind, manifest, calibration, skip: -1, latent, classes: classes, fold: l => l == input);
        yield return Fit("fingerprint (errors and latent distances folded)", kind, manifest, calibration, skip: -1, latent, classes: classes, fold: l => l < layers + latents.Length);
        // The same readings of the errors on the statistics the build selected.
        yield return Fit("fingerprint (selected, errors read both ways)", kind, manifest, calibration, skip: -1, latent, classes: classes, fold: _ => false, responses: responses);
        yield return Fit("fingerprint (selected, hidden layers' errors folded)", kind, manifest, calibration, skip: -1, latent, classes: classes, fold: l => l < layers && l != input, responses: responses);
        yield return Fit("fingerprint (selected, the input layer's error folded)", kind, manifest, calibration, skip: -1, latent, classes: classes, fold: l => l == input, responses: responses);
        yield return Fit("fingerprint (no latent distances)", kind, manifest, calibration, skip: -1, latent, classes: classes, dropStatistics: latents);
        if (inputStatistics.Length > 0)
        {
            yield return Fit("fingerprint (no input statistics)", kind, manifest, calibration, skip: -1, latent, classes: classes, dropStatistics: inputStatistics);
            yield return Fit("fingerprint (layer errors only)", kind, manifest, calibration, skip: -1, latent, classes: classes, dropStatistics: [.. latents, .. inputStatistics]);
        }
    }

    /// <summary>Per default build: how many statistics its integration has, and those it leaves out (constant, or unmoved by the response shifts).</summary>
    private static readonly List<(string Model, int Seed, int Statistics, string[] Excluded)> LeftOut = [];

    private static void PrintLeftOut(TextWriter output)
    {
        if (LeftOut.Count == 0) return;
        output.WriteLine("### Statistics each build left out of its integration (constant ones, and since item 20 those the response shifts barely move)");
        output.WriteLine();
        output.WriteLine("| model | statistics | left out, per seed |");
        output.WriteLine("|---|---:|---|");
        foreach (var group in LeftOut.GroupBy(l => l.Model))
            output.WriteLine($"| {group.Key} | {group.First().Statistics} | {string.Join(" · ", group.OrderBy(l => l.Seed).Select(l => $"seed {l.Seed}: {(l.Excluded.Length == 0 ? "none" : string.Join(", ", l.Excluded))}"))} |");
        output.WriteLine();
    }

    private static void PrintResponses(TextWriter output)
    {
        if (Responses.Count == 0) return;
        output.WriteLine("### Each statistic's response to the response shifts (AUROC alone, read the way the shift moves it; max over the shifts; mean over seeds)");
        output.WriteLine();
        output.WriteLine("| model | statistics (index: response) |");
        output.WriteLine("|---|---|");
        foreach (var group in Responses.GroupBy(r => r.Model))
        {
            var width = group.First().Responses.Length;
            var mean = Enumerable.Range(0, width).Select(j => group.Average(r => r.Responses[j])).ToArray();
            output.WriteLine($"| {group.Key} | {string.Join(", ", mean.Select((v, j) => $"{j}: {v:F2}"))} |");
        }
        output.WriteLine();
    }

    private const string FirstTwoHidden = "fingerprint, input + first 2 hidden layers";

    /// <summary>Per model and layer: what leaving the layer out costs in AUROC (validation sets decide; test cells reported).</summary>
    private static void PrintLayerAblation(TextWriter output, List<Cell> cells)
    {
        // Per (set, role) of one model: a column's AUROC, mean over seeds.
        Dictionary<(string Set, SetRole Role), double> PerCell(string model, string detector) =>
            cells.Where(c => c.Model == model && c.Detector == detector).GroupBy(c => (c.Set, c.Role)).ToDictionary(g => g.Key, g => g.Average(c => c.Auroc));
        if (ModelLayers.Count == 0) return;
        output.WriteLine("### Per-layer value: the default integration re-fitted without each layer (AUROC, mean over seeds)");
        output.WriteLine();
        output.WriteLine("| model | layer left out | validation min (default → without) | largest drop, validation cell | largest drop, any cell (test not used) | cells that drop > 0.005 |");
        output.WriteLine("|---|---|---:|---|---|---:|");
        foreach (var (model, (layers, input)) in ModelLayers)
        {
            var baseline = PerCell(model, Fingerprint);
            void Row(string label, string variant)
            {
                var without = PerCell(model, variant);
                if (without.Count == 0) return;
                var drops = without.Select(kv => (kv.Key, Drop: baseline[kv.Key] - kv.Value)).ToArray();
                var worstV = drops.Where(d => d.Key.Role == SetRole.Validation).MaxBy(d => d.Drop);
                var worst = drops.MaxBy(d => d.Drop);
                double ValidationMin(Dictionary<(string Set, SetRole Role), double> auroc) => auroc.Where(kv => kv.Key.Role == SetRole.Validation).Min(kv => kv.Value);
                output.WriteLine($"| {model} | {label} | {ValidationMin(baseline):F3} → {ValidationMin(without):F3} | {worstV.Drop:+0.000;−0.000;0.000} ({worstV.Key.Set}) | " +
                    $"{worst.Drop:+0.000;−0.000;0.000} ({worst.Key.Set}) | {drops.Count(d => d.Drop > 0.005)} of {drops.Length} |");
            }
            for (var l = 0; l < layers.Length; l++)
                Row($"{l + 1}: {layers[l]}{(l == input ? " (with the input's complexity measures)" : "")}", l == input ? NoInput : WithoutLayer + (l + 1));
            Row("**all after the first two hidden layers**", FirstTwoHidden);
            Row("**every hidden layer** (the input layer alone)", InputOnly);
            Row("**every hidden layer and the input's other statistics**", InputOnly + ", error and latent");
        }
        output.WriteLine();
    }

    /// <summary>NFP_PANEL_DENSITIES: integration kinds re-fitted beside the default on every build (<see cref="PrintIntegrations"/>).</summary>
    private static string[] Densities = [];

    private static (string Kind, int? K) DensityEntry(string entry) =>
        entry.Split('@') is [var kind, var k] ? (kind, int.Parse(k, System.Globalization.CultureInfo.InvariantCulture)) : (entry, null);

    private static string ClassShares(int[] classes) =>
        string.Join(" ", classes.Where(c => c >= 0).GroupBy(c => c).OrderBy(g => g.Key).Select(g => $"{g.Key}:{(double)g.Count() / classes.Length:P0}"));

    private enum MaxZMode { None, Only, Union, UpperOnly, UpperUnion, RankOnly, RankUnion, RankTwoSidedUnion, OneMeanUnion }

    /// <summary>
    /// A sparse-shift statistic M beside the Mahalanobis distance D², so that one statistic far outside its range is not
    /// diluted by the 2L − 1 others (README "Detection on a model panel", item 11). "max-z": max over statistics of the squared
    /// standardised log value (from the record's class mean, each statistic's within-class spread; "up": an excess only).
    /// "min-p": max over statistics of −ln of the empirical p-value among the calibration records (one mean, upper tail or
    /// both), extended past the calibration range. Union ("∪"): max(D²/τ_D, M/τ_M), τ_D the integration's threshold, τ_M the
    /// <paramref name="excessQuantile"/> quantile of M on the calibration records (a higher quantile gives M less of the budget).
    /// Benchmark-only: fitted in-sample, read for AUROC.
    /// </summary>
    private static Func<float[], int, double> MaxZScore(LayerIntegration integration, IReadOnlyList<float[]> statistics, int[]? classes, MaxZMode mode, OneOutRule rule, double excessQuantile)
    {
        var k = integration.LogMean!.Length;
        var n = statistics[0].Length;
        var upper = mode is MaxZMode.UpperOnly or MaxZMode.UpperUnion;
        var included = integration.Included;
        double Log(int l, float v) => Math.Log(Math.Max(float.IsNaN(v) ? float.MaxValue : v, integration.LogFloor![l]));
        var variance = new double[k];
        for (var r = 0; r < n; r++)
        {
            var mean = NeuralFP.Core.Detectors.Numerics.GaussianFit.MeanFor(integration.ClassMeans, integration.LogMean, classes?[r] ?? -1);
            for (int l = 0, i = 0; l < included.Length; l++)
            {
                if (!included[l]) continue;
                var c = Log(l, statistics[l][r]) - mean[i];
                variance[i] += c * c / n;
                i++;
            }
        }
        // Rank form: per statistic the calibration values sorted; −ln of the upper empirical p-value, extended linearly past the
        // largest value in units of the top 1% range (so that far-out records keep their order).
        var rank = mode is MaxZMode.RankOnly or MaxZMode.RankUnion or MaxZMode.RankTwoSidedUnion;
        var twoSided = mode == MaxZMode.RankTwoSidedUnion;
        var sorted = rank ? Enumerable.Range(0, statistics.Count).Select(l => statistics[l].Select(v => Log(l, v)).Order().ToArray()).ToArray() : [];
        double RankScore(ReadOnlySpan<float> values)
        {
            double max = 0;
            for (var l = 0; l < included.Length; l++)
            {
                if (!included[l]) continue;
                var x = Log(l, values[l]);
                var column = sorted[l];
                int lo = 0, hi = column.Length;
                while (lo < hi) { var mid = (lo + hi) / 2; if (column[mid] < x) lo = mid + 1; else hi = mid; }
                var above = column.Length - lo;
                var score = -Math.Log((above + 1.0) / (column.Length + 1.0));
                var top = column[^1];
                if (x > top) score += (x - top) / Math.Max(top - column[(int)(0.99 * (column.Length - 1))], 1e-9);
                if (twoSided)
                {
                    // The lower tail too (a statistic far *below* its range: blurred inputs reconstruct too well), each
                    // tail's p-value doubled.
                    int below = 0, end = column.Length;
                    while (below < end) { var mid = (below + end) / 2; if (column[mid] <= x) below = mid + 1; else end = mid; }
                    var lower = -Math.Log((below + 1.0) / (column.Length + 1.0));
                    if (x < column[0]) lower += (column[0] - x) / Math.Max(column[(int)(0.01 * (column.Length - 1))] - column[0], 1e-9);
                    score = Math.Max(score, lower) - Math.Log(2);
                }
                max = Math.Max(max, score);
            }
            return max;
        }
        // The one-mean density (total covariance) as the second member: two-sided like the default, not diluted by a class mean.
        var oneMean = mode == MaxZMode.OneMeanUnion ? LayerIntegration.Calibrate(IntegrationKinds.Gaussian, rule, statistics, integration.TargetFpr) : null;
        double M(ReadOnlySpan<float> values, int predicted)
        {
            if (oneMean is not null) return oneMean.Score(rule, values);
            if (rank) return RankScore(values);
            var mean = NeuralFP.Core.Detectors.Numerics.GaussianFit.MeanFor(integration.ClassMeans, integration.LogMean, predicted);
            double max = 0;
            for (int l = 0, i = 0; l < included.Length; l++)
            {
                if (!included[l]) continue;
                var c = Log(l, values[l]) - mean[i];
                if (upper && c < 0) c = 0;
                max = Math.Max(max, c * c / Math.Max(variance[i], 1e-300));
                i++;
            }
            return max;
        }
        var calibrationM = new double[n];
        var record = new float[statistics.Count];
        for (var r = 0; r < n; r++)
        {
            for (var l = 0; l < statistics.Count; l++) record[l] = statistics[l][r];
            calibrationM[r] = M(record, classes?[r] ?? -1);
        }
        Array.Sort(calibrationM);
        var tauM = calibrationM[(int)Math.Floor(excessQuantile * (n - 1))];
        var tauD = integration.Threshold;
        return mode is MaxZMode.Only or MaxZMode.UpperOnly or MaxZMode.RankOnly
            ? (values, predicted) => M(values, predicted)
            : (values, predicted) => Math.Max(integration.Score(rule, values, predicted) / tauD, M(values, predicted) / tauM);
    }

    private static List<Variant> ExplorationVariants(FingerprintManifest manifest, IReadOnlyList<float[]> calibration, int[]? classes, string prefix)
    {
        var input = InputLayer(manifest);
        var hasLatent = calibration.Count > manifest.Layers.Count;
        var list = new List<Variant>();
        foreach (var kind in classes is null ? new[] { IntegrationKinds.OneOut, IntegrationKinds.Fisher, IntegrationKinds.Gaussian } : [IntegrationKinds.OneOut, IntegrationKinds.Fisher, IntegrationKinds.Gaussian, IntegrationKinds.GaussianPerClass])
            foreach (var twoSided in IntegrationKinds.IsDensity(kind) ? new[] { false } : [false, true])
                foreach (var latent in hasLatent ? new[] { false, true } : [false])
                {
                    // A prefixed build differs only in its latent statistic: only the variants that read it.
                    if (prefix.Length > 0 && !(latent && IntegrationKinds.IsDensity(kind))) continue;
                    var name = $"{prefix}{kind}{(twoSided ? " two-sided" : "")}{(latent ? " +latent" : "")}";
                    list.Add(Fit(name, kind, manifest, calibration, skip: -1, latent, twoSided, classes));
                    if (input >= 0 && manifest.Layers.Count > 1) list.Add(Fit($"{name} −input", kind, manifest, calibration, skip: input, latent, twoSided, classes));
                }
        return list;
    }

    private static int InputLayer(FingerprintManifest manifest) => manifest.Layers.ToList().FindIndex(l => l.Name == manifest.InputName);

    /// <summary>
    /// An integration re-fitted on the build's calibration statistics ([layer errors..., latent distances...]),
    /// leaving out layer <paramref name="skip"/> (its error and its latent distance), with or without the latent distances.
    /// </summary>
    /// <param name="skipAlso">Further layers left out (the joint ablation).</param>
    private static Variant Fit(string name, string kind, FingerprintManifest manifest, IReadOnlyList<float[]> calibration, int skip, bool latent, bool? twoSided = null, int[]? classes = null, MaxZMode maxZ = MaxZMode.None, double excessQuantile = 0.95, bool overallMean = false, int? neighbours = null, IReadOnlyCollection<int>? skipAlso = null, bool normalScores = false, bool inputStatistics = true, IReadOnlyCollection<int>? dropStatistics = null, Func<int, bool>? fold = null, double[]? responses = null)
    {
        var layers = Enumerable.Range(0, manifest.Layers.Count).Where(l => l != skip && skipAlso?.Contains(l) != true).ToArray();
        var latentIndex = new Dictionary<int, int>();
        for (int l = 0, next = manifest.Layers.Count; l < manifest.Layers.Count; l++)
            if (manifest.Layers[l].LatentOutput is not null && next < calibration.Count) latentIndex[l] = next++;
        // The input's statistics (complexity measures, regional error) follow the latent distances; they are statistics of the
        // input, so the ablation without the input layer leaves them out too.
        var complexityStart = manifest.Layers.Count + latentIndex.Count;
        int[] complexity = inputStatistics && (skip < 0 || skip != InputLayer(manifest)) ? [.. Enumerable.Range(complexityStart, manifest.InputStatisticOutputs().Count)] : [];
        int[] latents = latent ? [.. layers.Where(latentIndex.ContainsKey).Select(l => latentIndex[l])] : [];
        if (dropStatistics is not null)
        {
            // A dropped layer error leaves the rule's layers too (the integration reads the rule's layers first).
            layers = [.. layers.Where(l => !dropStatistics.Contains(l))];
            latents = [.. latents.Where(i => !dropStatistics.Contains(i))];
            complexity = [.. complexity.Where(i => !dropStatistics.Contains(i))];
        }
        if (responses is not null && manifest.Options.StatisticResponseBar > 0 && kind != IntegrationKinds.OneOut)
        {
            // As the build selects its statistics (FingerprintOptions.StatisticResponseBar), among those this variant reads.
            int[] candidates = [.. layers, .. latents, .. IntegrationKinds.IsDensity(kind) ? complexity : []];
            var leftOut = StatisticSelection.LeaveOut([.. candidates.Select(i => responses[i])], layers.Length, manifest.Options.StatisticResponseBar, "")
                .Select(o => candidates[o.Statistic]).ToHashSet();
            layers = [.. layers.Where(l => !leftOut.Contains(l))];
            latents = [.. latents.Where(i => !leftOut.Contains(i))];
            complexity = [.. complexity.Where(i => !leftOut.Contains(i))];
        }
        if (IntegrationKinds.ReadsClasses(kind) && classes is null) kind = IntegrationKinds.WithoutClasses(kind);
        // As the build does: a density left with one statistic (a layer's error) reads its p-value instead.
        kind = IntegrationKinds.ForStatistics(kind, layers.Length + latents.Length + (IntegrationKinds.IsDensity(kind) ? complexity.Length : 0));
        int[] keep = [.. layers, .. latents, .. IntegrationKinds.IsDensity(kind) ? complexity : []];
        // The one-out and Fisher rules read latent distances as further "layers" with their own distributions.
        var ruleStatistics = IntegrationKinds.IsDensity(kind) ? layers : keep;
        string StatisticName(int i) => i < manifest.Layers.Count ? manifest.Layers[i].Name : $"latent {i}";
        // Normal scores: each kept statistic is carried as exp(z), z its normal score, so the integration's log reads z.
        // Folded statistics (the variant's own set): a value below its calibration median reads as the median; the others are
        // read both ways (the integration's own fold is then off, the variant saying which statistics fold).
        var maps = normalScores && IntegrationKinds.IsDensity(kind) ? keep.Select(l => (Func<float, float>)new NormalScores(calibration[l]).Exp).ToArray()
            : fold is not null && IntegrationKinds.IsDensity(kind) ? keep.Select(l => fold(l) ? Fold(calibration[l]) : (v => v)).ToArray() : null;
        if (maps is not null)
        {
            var mapped = new float[calibration.Count][];
            for (var i = 0; i < keep.Length; i++) mapped[keep[i]] = [.. calibration[keep[i]].Select(maps[i])];
            calibration = mapped;
        }
        var rule = OneOutRule.Calibrate(ruleStatistics.Select(StatisticName).ToArray(), ruleStatistics.Select(l => calibration[l]).ToArray(), manifest.Options.TargetFpr, twoSided ?? manifest.Options.TwoSided);
        var buffer = new float[keep.Length];
        float[] Pick(float[] all)
        {
            for (var i = 0; i < keep.Length; i++) buffer[i] = maps is null ? all[keep[i]] : maps[i](all[keep[i]]);
            return buffer;
        }
        if (kind == IntegrationKinds.OneOut)
            return new Variant(name, (e, _) => (rule.Score(Pick(e)), rule.IsOod(buffer)));
        // (For Fisher, keep and the rule's layers are the same statistics.)
        // Re-fits read the errors as the build did (folded at their median or not), unless the variant folds them itself.
        var integration = LayerIntegration.Calibrate(kind, rule, keep.Select(l => calibration[l]).ToArray(), manifest.Options.TargetFpr, classes: IntegrationKinds.ReadsClasses(kind) ? classes : null, neighbours: neighbours ?? NeuralFP.Core.Detectors.Numerics.NeighbourDensity.DefaultNeighbours,
            foldErrorsAtMedian: maps is null && manifest.Options.FoldErrorsAtMedian, unfoldedLayers: manifest.Options.FoldInputErrorAtMedian ? null : [manifest.InputName]);
        if (maxZ != MaxZMode.None)
        {
            var kept = keep.Select(l => calibration[l]).ToArray();
            var score = MaxZScore(integration, kept, kind == IntegrationKinds.GaussianPerClass ? classes : null, maxZ, rule, excessQuantile);
            // Flags at the in-sample 95% quantile of the calibration scores (AUROC is what this variant is read for).
            var calibrationScores = Enumerable.Range(0, kept[0].Length).Select(r => score([.. kept.Select(k => k[r])], classes?[r] ?? -1)).Order().ToArray();
            var threshold = calibrationScores[(int)Math.Floor((1 - manifest.Options.TargetFpr) * (calibrationScores.Length - 1))];
            return new Variant(name, (e, predicted) =>
            {
                var s = score(Pick(e), kind == IntegrationKinds.GaussianPerClass ? predicted : -1);
                return (s, s > threshold);
            });
        }
        return new Variant(name, (e, predicted) =>
        {
            var score = integration.Score(rule, Pick(e), overallMean ? -1 : predicted);
            return (score, integration.IsOod(score));
        });
    }

    /// <summary>Per detector (and variant): scores and flags of one set.</summary>
    private static (Dictionary<string, (double[] Scores, bool[] Flags)> Result, (float[] Values, int[] Classes) Statistics) Score(FingerprintScorer scorer, FloatTensor records, List<Variant> variants, string[] detectors, bool withFingerprint)
    {
        var result = new Dictionary<string, (double[], bool[])>();
        var n = records.Records;
        var layers = scorer.StatisticCount;
        var errors = new float[n * layers];
        var predicted = new int[n];
        scorer.ComputeErrors(RecordValidator.Validate(records, scorer.InputShape), errors, predicted, default);
        if (withFingerprint)
        {
            var ood = new bool[n];
            var scores = new double[n];
            scorer.ScoreInto(records, ood, scores);
            result[Fingerprint] = (scores, ood);
        }
        var inputMeasures = variants.Any(v => v.ReadsInputMeasures) ? InputMeasures(records) : [];
        foreach (var v in variants)
        {
            var scores = new double[n];
            var flags = new bool[n];
            var extras = v.Measures?.Invoke(records) ?? (v.ReadsInputMeasures ? inputMeasures : []);
            var record = new float[layers + extras.Length];
            for (var r = 0; r < n; r++)
            {
                errors.AsSpan(r * layers, layers).CopyTo(record);
                for (var m = 0; m < extras.Length; m++) record[layers + m] = extras[m][r];
                (scores[r], flags[r]) = v.Evaluate(record, predicted[r]);
            }
            result[v.Name] = (scores, flags);
        }
        if (detectors.Length > 0)
            foreach (var d in scorer.ScoreDetectors(records, detectors))
                result[d.Detector] = (d.Scores, d.Ood);
        return (result, (errors, predicted));
    }

    private static void PrintSelection(TextWriter output, List<Cell> exploration)
    {
        output.WriteLine("### Selection: fingerprint integration × statistics × layers, VALIDATION sets only (seed 1)");
        output.WriteLine();
        output.WriteLine("Validation sets: blur, low contrast, occlusion, additive noise, classes 5-9 (cnn-0to4), feature noise (tabular). Test sets are not used here.");
        output.WriteLine();
        output.WriteLine("| variant | min AUROC | mean AUROC | min AUROC, test sets (not used to choose) |");
        output.WriteLine("|---|---:|---:|---:|");
        var rows = exploration.GroupBy(c => c.Detector)
            .Select(g => (Name: g.Key, Min: g.Where(c => c.Role == SetRole.Validation).Min(c => c.Auroc), Mean: g.Where(c => c.Role == SetRole.Validation).Average(c => c.Auroc), TestMin: g.Where(c => c.Role == SetRole.Test).Min(c => c.Auroc)))
            .OrderByDescending(r => r.Min).ThenByDescending(r => r.Mean).ToArray();
        foreach (var r in rows) output.WriteLine($"| {r.Name} | {r.Min:F3} | {r.Mean:F3} | {r.TestMin:F3} |");
        output.WriteLine();
        output.WriteLine(HeldOutRun ? NothingChosen : $"Best by the validation minimum (then mean): **{rows[0].Name}**.");
        output.WriteLine();
    }

    /// <summary>Every exploration variant's AUROC per (model, set), seed 1: the evidence behind the selection table.</summary>
    private static void PrintVariants(TextWriter output, List<Cell> exploration)
    {
        var variants = exploration.Select(c => c.Detector).Distinct().ToArray();
        output.WriteLine("### Exploration variants, AUROC per cell (seed 1; V = validation set, T = test set, never used to choose)");
        output.WriteLine();
        output.WriteLine($"| model | set | {string.Join(" | ", variants)} |");
        output.WriteLine($"|---|---|{string.Concat(variants.Select(_ => "---:|"))}");
        foreach (var group in exploration.GroupBy(c => (c.Model, c.Set, c.Role)))
        {
            var values = variants.Select(v => group.Where(c => c.Detector == v).Select(c => c.Auroc).DefaultIfEmpty(double.NaN).Average());
            output.WriteLine($"| {group.Key.Model} | {group.Key.Set} ({(group.Key.Role == SetRole.Validation ? "V" : "T")}) | {string.Join(" | ", values.Select(v => double.IsNaN(v) ? "–" : v.ToString("F3")))} |");
        }
        output.WriteLine();
    }

    private static string[] Columns(List<Cell> cells) =>
        [Fingerprint, .. new[] { NoInput, WithInput }.Where(v => cells.Any(c => c.Detector == v)), .. cells.Select(c => c.Detector).Distinct().Where(d => d is not (NoInput or WithInput) && IsFingerprintVariant(d)),
            .. Detectors.Where(d => cells.Any(c => c.Detector == d))];

    private static void PrintTable(TextWriter output, List<Cell> cells, string metric, Func<Cell, double> value, string format)
    {
        var columns = Columns(cells);
        output.WriteLine($"### {metric}, mean over seeds (V = validation set, T = test set)");
        output.WriteLine();
        output.WriteLine($"| model | set | {string.Join(" | ", columns)} |");
        output.WriteLine($"|---|---|{string.Concat(columns.Select(_ => "---:|"))}");
        foreach (var group in cells.GroupBy(c => (c.Model, c.Set, c.Role)))
        {
            var values = columns.Select(d => group.Where(c => c.Detector == d).Select(value).DefaultIfEmpty(double.NaN).Average());
            output.WriteLine($"| {group.Key.Model} | {group.Key.Set} ({(group.Key.Role == SetRole.Validation ? "V" : "T")}) | {string.Join(" | ", values.Select(v => double.IsNaN(v) ? "–" : v.ToString(format)))} |");
        }
        output.WriteLine();
    }

    private static void PrintMinimum(TextWriter output, List<Cell> cells)
    {
        var columns = Columns(cells);
        output.WriteLine("### Minimum over the panel (AUROC, mean over seeds per cell)");
        output.WriteLine();
        output.WriteLine($"| over | {string.Join(" | ", columns)} |");
        output.WriteLine($"|---|{string.Concat(columns.Select(_ => "---:|"))}");
        void Row(string label, Func<Cell, bool> keep, Func<IEnumerable<double>, double> aggregate)
        {
            var values = columns.Select(d =>
            {
                var perCell = cells.Where(c => c.Detector == d && keep(c)).GroupBy(c => (c.Model, c.Set)).Select(g => g.Average(c => c.Auroc)).ToArray();
                return perCell.Length == 0 ? "–" : aggregate(perCell).ToString("F3");
            });
            output.WriteLine($"| {label} | {string.Join(" | ", values)} |");
        }
        Row("**MINIMUM, all cells**", _ => true, v => v.Min());
        Row("MINIMUM, test sets", c => c.Role == SetRole.Test, v => v.Min());
        Row("MINIMUM, validation sets", c => c.Role == SetRole.Validation, v => v.Min());
        Row("mean, all cells", _ => true, v => v.Average());
        Row("mean, validation sets", c => c.Role == SetRole.Validation, v => v.Average());
        Row("mean, test sets", c => c.Role == SetRole.Test, v => v.Average());
        foreach (var set in cells.Select(c => c.Set).Distinct())
            Row($"min, {set}", c => c.Set == set, v => v.Min());
        output.WriteLine();
    }

    /// <summary>
    /// The build's fingerprint and every integration re-fitted on its calibration statistics ("fingerprint (kind)"), ordered as
    /// the protocol chooses: the highest validation minimum (per cell the mean over seeds), then the highest validation mean.
    /// Test columns, digits and the realised FPR are reported beside it, never used to order.
    /// </summary>
    private static void PrintIntegrations(TextWriter output, List<Cell> cells, List<Realised> realised)
    {
        var names = cells.Select(c => c.Detector).Distinct().Where(d => d == Fingerprint || d.StartsWith("fingerprint (", StringComparison.Ordinal)).ToArray();
        if (names.Length < 2) return;
        // Only cells every integration has (a kind that reads classes is not fitted on a model without class outputs).
        var common = cells.Where(c => names.Contains(c.Detector)).GroupBy(c => (c.Model, c.Set)).Where(g => names.All(n => g.Any(c => c.Detector == n))).Select(g => g.Key).ToHashSet();
        output.WriteLine("### Fingerprint integrations re-fitted on the same calibration statistics: chosen on the VALIDATION sets only");
        output.WriteLine();
        output.WriteLine($"Cells every integration has: {common.Count} (validation {common.Count(k => cells.Any(c => c.Model == k.Model && c.Set == k.Set && c.Role == SetRole.Validation))}). Realised FPR: image models (target 5 ± 1 pp), then tabular.");
        output.WriteLine();
        output.WriteLine("| integration | min AUROC (V) | mean AUROC (V) | worst validation cell | min AUROC, test (not used) | mean, test (not used) | min, all cells | digits GRU / MLP / transformer (T) | digits flagged GRU / MLP (T) | realised FPR, image models | realised FPR, tabular | calibration guard (fingerprint) |");
        output.WriteLine("|---|---:|---:|---|---:|---:|---:|---|---|---:|---:|---|");
        var rows = names.Select(name =>
        {
            var perCell = cells.Where(c => c.Detector == name && common.Contains((c.Model, c.Set))).GroupBy(c => (c.Model, c.Set, c.Role))
                .Select(g => (g.Key, Auroc: g.Average(c => c.Auroc), Flagged: g.Average(c => c.Flagged))).ToArray();
            var v = perCell.Where(c => c.Key.Role == SetRole.Validation).ToArray();
            var t = perCell.Where(c => c.Key.Role == SetRole.Test).ToArray();
            var worst = v.MinBy(c => c.Auroc);
            string Digits(string model, bool flagged) => perCell.Where(c => c.Key.Model == model && c.Key.Set == "digits").Select(c => flagged ? c.Flagged.ToString("P0") : c.Auroc.ToString("F3")).DefaultIfEmpty("–").First();
            string Fpr(bool tabular)
            {
                var values = realised.Where(r => r.Detector == name && r.Tabular == tabular).Select(r => r.Fpr).ToArray();
                return values.Length == 0 ? "–" : $"{values.Average():P1} [{values.Min():P1}–{values.Max():P1}]";
            }
            return (Name: name, VMin: v.Min(c => c.Auroc), VMean: v.Average(c => c.Auroc), Worst: $"{worst.Key.Model}/{worst.Key.Set} {worst.Auroc:F3}",
                TMin: t.Length == 0 ? double.NaN : t.Min(c => c.Auroc), TMean: t.Length == 0 ? double.NaN : t.Average(c => c.Auroc), All: perCell.Min(c => c.Auroc),
                Digits: $"{Digits("gru", false)} / {Digits("mlp", false)} / {Digits("transformer", false)}", Flagged: $"{Digits("gru", true)} / {Digits("mlp", true)}",
                FprImage: Fpr(false), FprTabular: Fpr(true), Guard: CalibrationGuard.Failures(GuardReadings(realised.Where(r => r.Detector == name), Fingerprint)));
        }).OrderByDescending(r => r.Guard.Count == 0).ThenByDescending(r => Math.Round(r.VMin, 3)).ThenByDescending(r => Math.Round(r.VMean, 3)).ThenBy(r => r.Name == Fingerprint ? 0 : 1).ToArray();
        foreach (var r in rows)
            output.WriteLine($"| {r.Name} | {r.VMin:F3} | {r.VMean:F3} | {r.Worst} | {r.TMin:F3} | {r.TMean:F3} | {r.All:F3} | {r.Digits} | {r.Flagged} | {r.FprImage} | {r.FprTabular} | {CalibrationGuard.Describe(r.Guard)} |");
        output.WriteLine();
        output.WriteLine(HeldOutRun ? NothingChosen : $"Chosen on the validation sets (the calibration guard on the fingerprint, then the highest minimum, then mean, at three decimals; a tie keeps the default): **{rows[0].Name}**. A re-fit has no combined detector of its own: build it as a variant (NFP_PANEL_VARIANTS) for the guard's combined reading.");
        output.WriteLine();
        output.WriteLine("Validation cells (AUROC, mean over seeds):");
        output.WriteLine();
        output.WriteLine($"| model | set | {string.Join(" | ", rows.Select(r => r.Name))} |");
        output.WriteLine($"|---|---|{string.Concat(rows.Select(_ => "---:|"))}");
        foreach (var group in cells.Where(c => names.Contains(c.Detector) && c.Role == SetRole.Validation && common.Contains((c.Model, c.Set))).GroupBy(c => (c.Model, c.Set)))
            output.WriteLine($"| {group.Key.Model} | {group.Key.Set} | {string.Join(" | ", rows.Select(r => group.Where(c => c.Detector == r.Name).Average(c => c.Auroc).ToString("F3")))} |");
        output.WriteLine();
    }

    private static void PrintRealised(TextWriter output, List<Realised> realised)
    {
        var columns = realised.Select(r => r.Detector).Distinct().ToArray();
        output.WriteLine("### Realised FPR on the in-distribution test set (target 5%): mean [min–max] over seeds");
        output.WriteLine();
        output.WriteLine("Sampling sd = the spread a perfectly calibrated threshold still shows from one seed to the next: the threshold is a quantile of");
        output.WriteLine("n_cal calibration scores and the rate is counted on n_test records, sd ≈ √(α(1−α)(1/n_cal + 1/n_test)).");
        output.WriteLine();
        output.WriteLine($"| model | n_cal / n_test | sampling sd | {string.Join(" | ", columns)} |");
        output.WriteLine($"|---|---:|---:|{string.Concat(columns.Select(_ => "---:|"))}");
        foreach (var group in realised.GroupBy(r => r.Model))
        {
            var values = columns.Select(d =>
            {
                var v = group.Where(r => r.Detector == d).Select(r => r.Fpr).ToArray();
                return v.Length == 0 ? "–" : $"{v.Average():P1} [{v.Min():P1}–{v.Max():P1}]";
            });
            var (cal, test) = Sampling.GetValueOrDefault(group.Key);
            output.WriteLine($"| {group.Key} | {cal} / {test} | {SamplingSd(group.Key) * 100:F2} pp | {string.Join(" | ", values)} |");
        }
        output.WriteLine();
        // The spread actually seen from seed to seed, beside the sampling sd a perfectly calibrated threshold would show.
        var spread = realised.Where(r => r.Detector == Fingerprint).GroupBy(r => r.Model).Where(g => g.Count() > 1)
            .Select(g => (Model: g.Key, Sd: Math.Sqrt(g.Sum(r => (r.Fpr - g.Average(x => x.Fpr)) * (r.Fpr - g.Average(x => x.Fpr))) / (g.Count() - 1)))).ToArray();
        if (spread.Length > 0)
        {
            output.WriteLine($"Fingerprint, observed sd of the realised FPR over seeds: {string.Join(", ", spread.Select(s => $"{s.Model} {s.Sd * 100:F2} pp"))}.");
            // How many seeds land outside the bar's band, beside what a calibrated threshold's sampling sd alone would leave out.
            var outside = realised.Where(r => r.Detector == Fingerprint).GroupBy(r => (r.Model, r.Tabular)).Where(g => g.Count() > 3).Select(g =>
            {
                var band = g.Key.Tabular ? 0.02 : 0.01;
                var sd = SamplingSd(g.Key.Model);
                return $"{g.Key.Model} {g.Count(r => Math.Abs(r.Fpr - 0.05) > band)} of {g.Count()} outside 5 ± {band * 100:F0} pp (sampling alone: {2 * (1 - NormalCdf(band / sd)):P0})";
            }).ToArray();
            if (outside.Length > 0)
            {
                output.WriteLine($"Fingerprint, seeds outside the band: {string.Join(", ", outside)}.");
                output.WriteLine();
            }
            output.WriteLine();
        }
    }

    private static void PrintBars(TextWriter output, List<Cell> cells, List<Realised> realised)
    {
        output.WriteLine("### Bars");
        output.WriteLine();
        double Mean(IEnumerable<Cell> g) => g.Average(c => c.Auroc);
        var images = cells.Where(c => !c.Tabular).ToArray();
        void Bar(string text, bool pass, string detail) => output.WriteLine($"- {(pass ? "PASS" : "MISS")}: {text} ({detail})");

        var digits = images.Where(c => c.Set == "digits" && c.Detector == Fingerprint).GroupBy(c => c.Model).Select(g => (g.Key, Auroc: Mean(g), Flagged: g.Average(c => c.Flagged))).ToArray();
        if (digits.Length > 0)
        {
            var worst = digits.MinBy(d => d.Auroc);
            Bar("fingerprint AUROC on digits ≥ 0.93 on every image model", worst.Auroc >= 0.93, $"min {worst.Auroc:F3} on {worst.Key}");
            Bar("fingerprint AUROC on digits, mean ≥ 0.95", digits.Average(d => d.Auroc) >= 0.95, $"mean {digits.Average(d => d.Auroc):F3}");
            var least = digits.MinBy(d => d.Flagged);
            Bar("flags ≥ 60% of digits at the calibrated 5% FPR on every image model", least.Flagged >= 0.6, $"min {least.Flagged:P0} on {least.Key}");
        }
        var noInputRow = images.Any(c => c.Detector == NoInput) ? NoInput : Fingerprint; // the default may already leave the input out
        var noise = images.Where(c => c.Set.EndsWith("noise", StringComparison.Ordinal) && c.Role == SetRole.Test && c.Detector == noInputRow).GroupBy(c => (c.Model, c.Set)).Select(g => (g.Key, Auroc: Mean(g))).ToArray();
        if (noise.Length > 0)
        {
            var worst = noise.MinBy(n => n.Auroc);
            Bar("fingerprint WITHOUT the input layer ≥ 0.99 on every noise set", worst.Auroc >= 0.99, $"min {worst.Auroc:F3} on {worst.Key.Model}/{worst.Key.Set}");
        }
        var perCell = cells.GroupBy(c => (c.Model, c.Set, c.Detector)).ToDictionary(g => g.Key, g => Mean(g));
        var singles = perCell.Keys.Select(k => k.Detector).Distinct().Where(d => d is not DetectorNames.Combined && !IsFingerprintVariant(d)).ToArray();
        var shortfalls = perCell.Keys.Where(k => k.Detector == DetectorNames.Combined)
            .Select(k => (k.Model, k.Set, Gap: perCell[k] - singles.Max(d => perCell.GetValueOrDefault((k.Model, k.Set, d), 0))))
            .Where(x => x.Gap < -0.01).ToArray();
        Bar("combined ≥ best single detector − 0.01 on every cell", shortfalls.Length == 0,
            shortfalls.Length == 0 ? "no shortfall" : $"{shortfalls.Length} cells short, worst {shortfalls.Min(s => s.Gap):F3} on {shortfalls.MinBy(s => s.Gap).Model}/{shortfalls.MinBy(s => s.Gap).Set}");
        var minima = perCell.GroupBy(kv => kv.Key.Detector).Where(g => !IsFingerprintVariant(g.Key)).ToDictionary(g => g.Key, g => g.Min(kv => kv.Value));
        if (minima.TryGetValue(DetectorNames.Combined, out var combinedMin))
        {
            var best = minima.Where(kv => kv.Key != DetectorNames.Combined).MaxBy(kv => kv.Value);
            Bar("combined's panel minimum is the highest of all detectors", combinedMin >= best.Value, $"combined {combinedMin:F3}, best other {best.Key} {best.Value:F3}");
        }
        foreach (var detector in new[] { Fingerprint, DetectorNames.Combined })
        {
            var off = realised.Where(r => r.Detector == detector && Math.Abs(r.Fpr - 0.05) > (r.Tabular ? 0.02 : 0.01)).ToArray();
            Bar($"{detector}: realised FPR within 5% ± 1 pp (± 2 pp tabular) on every model and seed", off.Length == 0,
                off.Length == 0 ? $"range {realised.Where(r => r.Detector == detector).Min(r => r.Fpr):P1}–{realised.Where(r => r.Detector == detector).Max(r => r.Fpr):P1}" : string.Join(", ", off.Select(o => $"{o.Model} seed {o.Seed}: {o.Fpr:P1}")));
        }
        foreach (var set in new[] { "calibration drift", "shuffled features" })
        {
            // Per tabular model (mean over seeds), the lowest named.
            var tab = cells.Where(c => c.Tabular && c.Set == set && c.Detector == Fingerprint).GroupBy(c => c.Model).Select(g => (Model: g.Key, Auroc: Mean(g))).ToArray();
            if (tab.Length > 0)
            {
                var worst = tab.MinBy(t => t.Auroc);
                Bar($"tabular fingerprint AUROC ≥ 0.97 on {set}", worst.Auroc >= 0.97, tab.Length == 1 ? $"{worst.Auroc:F3}" : $"min {worst.Auroc:F3} on {worst.Model}");
            }
        }
        output.WriteLine();
    }

    /// <summary>Φ(x), by the Abramowitz–Stegun erf approximation (|error| &lt; 1.5e-7): enough for a share of seeds.</summary>
    private static double NormalCdf(double x)
    {
        var z = Math.Abs(x) / Math.Sqrt(2);
        var t = 1 / (1 + 0.3275911 * z);
        var erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-z * z);
        return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }

    private static double Share(bool[] flags) => flags.Length == 0 ? 0 : (double)flags.Count(f => f) / flags.Length;

    /// <summary>
    /// A statistic's normal score: z = Φ⁻¹ of its empirical distribution function on the calibration records (log values,
    /// linear between order statistics at plotting positions (i + ½)/n), extended past the calibration range linearly with
    /// the tail's own slope (between the 90% and 99% order statistics, and 1% and 10% below), so a value far out stays far out.
    /// Heavy tails of in-distribution statistics (latent distances, the log errors' lower tails) become Gaussian ones.
    /// </summary>
    private static Func<float, float> Fold(float[] values)
    {
        var median = values.Order().ElementAt(values.Length / 2);
        return v => Math.Max(v, median);
    }

    private sealed class NormalScores
    {
        private readonly double[] _sorted;
        private readonly double[] _z;
        private readonly double _floor, _lowSlope, _highSlope;

        public NormalScores(float[] values)
        {
            var n = values.Length;
            var raw = values.Select(v => (double)(float.IsNaN(v) ? float.MaxValue : v)).Order().ToArray();
            _floor = Math.Max(1e-6 * Math.Abs(raw[n / 2]), 1e-30);
            _sorted = [.. raw.Select(v => Math.Log(Math.Max(v, _floor)))];
            _z = [.. Enumerable.Range(0, n).Select(i => FprInterval.NormalQuantile((i + 0.5) / n))];
            int At(double p) => Math.Clamp((int)Math.Round(p * (n - 1)), 0, n - 1);
            double Slope(int a, int b) => _z[b] > _z[a] && _sorted[b] > _sorted[a] ? (_sorted[b] - _sorted[a]) / (_z[b] - _z[a]) : double.NaN;
            var whole = Slope(0, n - 1);
            if (double.IsNaN(whole)) whole = 1;
            _highSlope = Slope(At(0.90), At(0.99)) is var h && !double.IsNaN(h) ? h : whole;
            _lowSlope = Slope(At(0.01), At(0.10)) is var l && !double.IsNaN(l) ? l : whole;
        }

        public double Z(float value)
        {
            var v = Math.Log(Math.Max(float.IsNaN(value) ? float.MaxValue : value, _floor));
            var n = _sorted.Length;
            if (v <= _sorted[0]) return _z[0] - (_sorted[0] - v) / _lowSlope;
            if (v >= _sorted[n - 1]) return _z[n - 1] + (v - _sorted[n - 1]) / _highSlope;
            int first = LowerBound(v), after = UpperBound(v);
            if (after > first) return 0.5 * (_z[first] + _z[after - 1]); // v equals a run of tied values
            var below = first - 1;
            return _z[below] + (v - _sorted[below]) / (_sorted[first] - _sorted[below]) * (_z[first] - _z[below]);
        }

        /// <summary>exp(z), capped where float ends: the integration takes its log.</summary>
        public float Exp(float value) => (float)Math.Exp(Math.Clamp(Z(value), -80, 80));

        private int LowerBound(double v)
        {
            int lo = 0, hi = _sorted.Length;
            while (lo < hi) { var mid = (lo + hi) >>> 1; if (_sorted[mid] < v) lo = mid + 1; else hi = mid; }
            return lo;
        }

        private int UpperBound(double v)
        {
            int lo = 0, hi = _sorted.Length;
            while (lo < hi) { var mid = (lo + hi) >>> 1; if (_sorted[mid] <= v) lo = mid + 1; else hi = mid; }
            return lo;
        }
    }
}
