using System.Diagnostics;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Metrics;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Benchmarks;

/// <summary>
/// Issue 8's panel benchmark: every panel model × OOD set × detector (AUROC, FPR95, share flagged at the calibrated
/// threshold), the minimum over the panel, the realised FPR per model over seeds, the integration/scaling exploration
/// on the validation sets only, and the bars. Environment: NFP_PANEL_SEEDS (default 1,2,3), NFP_PANEL_MODELS
/// (comma list), NFP_PANEL_EXPLORE=0 to skip the exploration builds, NFP_PANEL_REFERENCE/TEST/OOD (record counts).
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

    public static async Task RunAsync(TextWriter output)
    {
        var seeds = (Environment.GetEnvironmentVariable("NFP_PANEL_SEEDS") ?? "1,2,3").Split(',').Select(int.Parse).ToArray();
        var explore = Environment.GetEnvironmentVariable("NFP_PANEL_EXPLORE") != "0";
        var cells = new List<Cell>();
        var realised = new List<Realised>();
        var exploration = new List<Cell>();
        var defaults = new FingerprintOptions();
        output.WriteLine($"Defaults: integration {defaults.Integration}, scale floor {defaults.ScaleFloor}, pooling {defaults.Pooling}, autoencoder {defaults.Autoencoder.Kind} hidden {defaults.Autoencoder.HiddenSize}; reference {PanelModels.ReferenceRecords} records, in-distribution test {PanelModels.TestRecords}, OOD sets up to {PanelModels.OodRecords}; seeds {string.Join(",", seeds)}.");
        output.WriteLine();
        output.WriteLine("| model | shape | layers | build s (seed 1) |");
        output.WriteLine("|---|---|---|---:|");
        foreach (var model in PanelModels.All(Environment.GetEnvironmentVariable("NFP_PANEL_MODELS")))
        {
            foreach (var seed in seeds)
            {
                var clock = Stopwatch.StartNew();
                var outcome = FingerprintBuilder.Build(model.Onnx, model.Reference, WithTrainingBudget(defaults) with { Seed = seed, Detectors = Detectors }, null, CancellationToken.None);
                if (seed == seeds[0])
                    output.WriteLine($"| {model.Name} | {model.Shape} | {outcome.Fingerprint.Manifest.Layers.Count} | {clock.Elapsed.TotalSeconds:F0} |");
                Evaluate(model, seed, outcome, "", cells, realised, detectors: true);
                if (explore && seed == seeds[0])
                {
                    // Exploration builds tap the input layer too, so that "with" and "without" it come from the same
                    // autoencoders; integrations are re-fitted from the same calibration errors; the old floor is the other scaling.
                    var withInput = FingerprintBuilder.Build(model.Onnx, model.Reference, WithTrainingBudget(defaults) with { Seed = seed, Detectors = [], IncludeInputLayer = true, LatentStatistic = true, Integration = IntegrationKinds.Gaussian }, null, CancellationToken.None);
                    var before = exploration.Count;
                    Evaluate(model, seed, withInput, "", exploration, null, detectors: false);
                    // The default integration with the input layer: the ablation row of the main table.
                    var defaultVariant = defaults.Integration + (defaults.LatentStatistic && IntegrationKinds.IsGaussian(defaults.Integration) ? " +latent" : "");
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
        PrintTable(output, cells, "AUROC", c => c.Auroc, "F3");
        PrintTable(output, cells, "FPR95 (lower is better)", c => c.Fpr95, "F3");
        PrintTable(output, cells, "share flagged at the calibrated 5% threshold", c => c.Flagged, "P0");
        PrintMinimum(output, cells);
        PrintCombinedRules(output, cells);
        PrintRealised(output, realised);
        PrintBars(output, cells, realised);
    }

    /// <summary>Scores the in-distribution and OOD sets with every detector and with fingerprint integrations re-fitted on the build's calibration errors.</summary>
    private static void Evaluate(PanelModel model, int seed, FingerprintBuilder.Outcome outcome, string prefix, List<Cell> cells, List<Realised>? realised, bool detectors)
    {
        using var scorer = new FingerprintScorer(outcome.Fingerprint);
        var manifest = outcome.Fingerprint.Manifest;
        var variants = detectors ? DefaultVariants(manifest, outcome.CalibrationErrors) : ExplorationVariants(manifest, outcome.CalibrationErrors, prefix);
        var names = detectors ? scorer.Fingerprint.Detectors.Names.ToArray() : [];

        var id = Score(scorer, model.InDistribution, variants, names, detectors);
        var otherRule = detectors ? OtherCombinedRule(scorer) : null;
        double[]? idOther = otherRule is null ? null : otherRule(id);
        if (realised is not null)
            foreach (var (detector, (_, flags)) in id)
                realised.Add(new Realised(model.Name, model.Tabular, detector, seed, Share(flags)));
        foreach (var set in model.Sets)
        {
            var ood = Score(scorer, set.Records, variants, names, detectors);
            foreach (var (detector, (scores, flags)) in ood)
            {
                var m = OodMetrics.Compute(id[detector].Scores, scores);
                cells.Add(new Cell(model.Name, model.Tabular, set.Name, set.Role, detector, seed, m.Auroc, m.Fpr95, Share(flags)));
            }
            if (otherRule is not null)
            {
                var m = OodMetrics.Compute(idOther!, otherRule(ood));
                RuleCells.Add(new Cell(model.Name, model.Tabular, set.Name, set.Role, OtherRuleName, seed, m.Auroc, m.Fpr95, double.NaN));
            }
        }
    }

    private const string OtherRuleName = "combined, min-p rule";

    /// <summary>The combined detector's other rule on the same members and held-out fit (AUROC only: it has no calibrated threshold).</summary>
    private static readonly List<Cell> RuleCells = [];

    private static Func<Dictionary<string, (double[] Scores, bool[] Flags)>, double[]>? OtherCombinedRule(FingerprintScorer scorer)
    {
        if (!scorer.Fingerprint.Detectors.Names.Contains(DetectorNames.Combined)) return null;
        var combined = (CombinedDetector)scorer.Fingerprint.Detectors[DetectorNames.Combined].Detector;
        var other = combined.WithRule(combined.Rule == CombinedDetector.FisherRule ? CombinedDetector.MinPRule : CombinedDetector.FisherRule);
        return result =>
        {
            var members = combined.Members.Select(m => result[m == CombinedDetector.FingerprintMember ? Fingerprint : m].Scores).ToArray();
            var scores = new double[members[0].Length];
            other.Combine(members, scores);
            return scores;
        };
    }

    private static void PrintCombinedRules(TextWriter output, List<Cell> cells)
    {
        if (RuleCells.Count == 0) return;
        output.WriteLine("### Combined detector: its rule against the other rule on the same members (AUROC, mean over seeds)");
        output.WriteLine();
        output.WriteLine("| model | set | combined | combined, other rule | best single detector |");
        output.WriteLine("|---|---|---:|---:|---:|");
        foreach (var group in RuleCells.GroupBy(c => (c.Model, c.Set, c.Role)))
        {
            var same = cells.Where(c => c.Model == group.Key.Model && c.Set == group.Key.Set).ToArray();
            var combined = same.Where(c => c.Detector == DetectorNames.Combined).Average(c => c.Auroc);
            var best = same.Where(c => c.Detector is not (DetectorNames.Combined or NoInput or WithInput)).GroupBy(c => c.Detector).Max(g => g.Average(c => c.Auroc));
            output.WriteLine($"| {group.Key.Model} | {group.Key.Set} ({(group.Key.Role == SetRole.Validation ? "V" : "T")}) | {combined:F3} | {group.Average(c => c.Auroc):F3} | {best:F3} |");
        }
        output.WriteLine();
    }

    private sealed record Variant(string Name, Func<float[], (double Score, bool Ood)> Evaluate);

    /// <summary>The default fingerprint's ablation without the model-input layer (same integration, re-fitted on the same calibration errors).</summary>
    private static List<Variant> DefaultVariants(FingerprintManifest manifest, IReadOnlyList<float[]> calibration)
    {
        var input = InputLayer(manifest);
        var latent = manifest.Integration?.StatisticCount > manifest.Layers.Count;
        return input < 0 || manifest.Layers.Count < 2 ? [] : [Fit(NoInput, manifest.Options.Integration, manifest, calibration, skip: input, latent)];
    }

    private static List<Variant> ExplorationVariants(FingerprintManifest manifest, IReadOnlyList<float[]> calibration, string prefix)
    {
        var input = InputLayer(manifest);
        var hasLatent = calibration.Count > manifest.Layers.Count;
        var list = new List<Variant>();
        foreach (var kind in new[] { IntegrationKinds.OneOut, IntegrationKinds.Fisher, IntegrationKinds.Gaussian })
            foreach (var twoSided in IntegrationKinds.IsGaussian(kind) ? new[] { false } : [false, true])
                foreach (var latent in hasLatent ? new[] { false, true } : [false])
                {
                    // A prefixed build differs only in its latent statistic: only the variants that read it.
                    if (prefix.Length > 0 && !(latent && IntegrationKinds.IsGaussian(kind))) continue;
                    var name = $"{prefix}{kind}{(twoSided ? " two-sided" : "")}{(latent ? " +latent" : "")}";
                    list.Add(Fit(name, kind, manifest, calibration, skip: -1, latent, twoSided));
                    if (input >= 0 && manifest.Layers.Count > 1) list.Add(Fit($"{name} −input", kind, manifest, calibration, skip: input, latent, twoSided));
                }
        return list;
    }

    private static int InputLayer(FingerprintManifest manifest) => manifest.Layers.ToList().FindIndex(l => l.Name == manifest.InputName);

    /// <summary>
    /// An integration re-fitted on the build's calibration statistics ([layer errors..., latent distances...]),
    /// leaving out layer <paramref name="skip"/> (its error and its latent distance), with or without the latent distances.
    /// </summary>
    private static Variant Fit(string name, string kind, FingerprintManifest manifest, IReadOnlyList<float[]> calibration, int skip, bool latent, bool? twoSided = null)
    {
        var layers = Enumerable.Range(0, manifest.Layers.Count).Where(l => l != skip).ToArray();
        var latentIndex = new Dictionary<int, int>();
        for (int l = 0, next = manifest.Layers.Count; l < manifest.Layers.Count; l++)
            if (manifest.Layers[l].LatentOutput is not null && next < calibration.Count) latentIndex[l] = next++;
        int[] keep = [.. layers, .. latent ? layers.Where(latentIndex.ContainsKey).Select(l => latentIndex[l]) : []];
        // The one-out and Fisher rules read latent distances as further "layers" with their own distributions.
        var ruleStatistics = IntegrationKinds.IsGaussian(kind) ? layers : keep;
        string StatisticName(int i) => i < manifest.Layers.Count ? manifest.Layers[i].Name : $"latent {i}";
        var rule = OneOutRule.Calibrate(ruleStatistics.Select(StatisticName).ToArray(), ruleStatistics.Select(l => calibration[l]).ToArray(), manifest.Options.TargetFpr, twoSided ?? manifest.Options.TwoSided);
        var buffer = new float[keep.Length];
        float[] Pick(float[] all)
        {
            for (var i = 0; i < keep.Length; i++) buffer[i] = all[keep[i]];
            return buffer;
        }
        if (kind == IntegrationKinds.OneOut)
            return new Variant(name, e => (rule.Score(Pick(e)), rule.IsOod(buffer)));
        // (For Fisher, keep and the rule's layers are the same statistics.)
        var integration = LayerIntegration.Calibrate(kind, rule, keep.Select(l => calibration[l]).ToArray(), manifest.Options.TargetFpr);
        return new Variant(name, e =>
        {
            var score = integration.Score(rule, Pick(e));
            return (score, integration.IsOod(score));
        });
    }

    /// <summary>Per detector (and variant): scores and flags of one set.</summary>
    private static Dictionary<string, (double[] Scores, bool[] Flags)> Score(FingerprintScorer scorer, FloatTensor records, List<Variant> variants, string[] detectors, bool withFingerprint)
    {
        var result = new Dictionary<string, (double[], bool[])>();
        var n = records.Records;
        var layers = scorer.StatisticCount;
        var errors = new float[n * layers];
        scorer.ComputeErrors(RecordValidator.Validate(records, scorer.InputShape), errors, default, default);
        if (withFingerprint)
        {
            var ood = new bool[n];
            var scores = new double[n];
            scorer.ScoreInto(records, ood, scores);
            result[Fingerprint] = (scores, ood);
        }
        foreach (var v in variants)
        {
            var scores = new double[n];
            var flags = new bool[n];
            var record = new float[layers];
            for (var r = 0; r < n; r++)
            {
                errors.AsSpan(r * layers, layers).CopyTo(record);
                (scores[r], flags[r]) = v.Evaluate(record);
            }
            result[v.Name] = (scores, flags);
        }
        if (detectors.Length > 0)
            foreach (var d in scorer.ScoreDetectors(records, detectors))
                result[d.Detector] = (d.Scores, d.Ood);
        return result;
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
        output.WriteLine($"Best by the validation minimum (then mean): **{rows[0].Name}**.");
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
        [Fingerprint, .. new[] { NoInput, WithInput }.Where(v => cells.Any(c => c.Detector == v)), .. Detectors.Where(d => cells.Any(c => c.Detector == d))];

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
        foreach (var set in cells.Select(c => c.Set).Distinct())
            Row($"min, {set}", c => c.Set == set, v => v.Min());
        output.WriteLine();
    }

    private static void PrintRealised(TextWriter output, List<Realised> realised)
    {
        var columns = realised.Select(r => r.Detector).Distinct().ToArray();
        output.WriteLine("### Realised FPR on the in-distribution test set (target 5%): mean [min–max] over seeds");
        output.WriteLine();
        output.WriteLine($"| model | {string.Join(" | ", columns)} |");
        output.WriteLine($"|---|{string.Concat(columns.Select(_ => "---:|"))}");
        foreach (var group in realised.GroupBy(r => r.Model))
        {
            var values = columns.Select(d =>
            {
                var v = group.Where(r => r.Detector == d).Select(r => r.Fpr).ToArray();
                return v.Length == 0 ? "–" : $"{v.Average():P1} [{v.Min():P1}–{v.Max():P1}]";
            });
            output.WriteLine($"| {group.Key} | {string.Join(" | ", values)} |");
        }
        output.WriteLine();
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
        var singles = perCell.Keys.Select(k => k.Detector).Distinct().Where(d => d is not (DetectorNames.Combined or NoInput or WithInput)).ToArray();
        var shortfalls = perCell.Keys.Where(k => k.Detector == DetectorNames.Combined)
            .Select(k => (k.Model, k.Set, Gap: perCell[k] - singles.Max(d => perCell.GetValueOrDefault((k.Model, k.Set, d), 0))))
            .Where(x => x.Gap < -0.01).ToArray();
        Bar("combined ≥ best single detector − 0.01 on every cell", shortfalls.Length == 0,
            shortfalls.Length == 0 ? "no shortfall" : $"{shortfalls.Length} cells short, worst {shortfalls.Min(s => s.Gap):F3} on {shortfalls.MinBy(s => s.Gap).Model}/{shortfalls.MinBy(s => s.Gap).Set}");
        var minima = perCell.GroupBy(kv => kv.Key.Detector).Where(g => g.Key is not (NoInput or WithInput)).ToDictionary(g => g.Key, g => g.Min(kv => kv.Value));
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
            var tab = cells.Where(c => c.Tabular && c.Set == set && c.Detector == Fingerprint).ToArray();
            if (tab.Length > 0) Bar($"tabular fingerprint AUROC ≥ 0.97 on {set}", Mean(tab) >= 0.97, $"{Mean(tab):F3}");
        }
        output.WriteLine();
    }

    private static double Share(bool[] flags) => flags.Length == 0 ? 0 : (double)flags.Count(f => f) / flags.Length;
}
