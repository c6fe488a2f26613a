using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Detectors.Numerics;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Metrics;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Benchmarks;

/// <summary>
/// Why the tabular panel model's fingerprint sees one OOD set and not another: per layer and statistic (reconstruction
/// error, latent distance), the AUROC each alone reaches on every tabular set, beside the autoencoder's size, epochs and
/// error on its training records against held-out ones, for the default autoencoder and the other variants named in
/// NFP_DIAG_VARIANTS (auto, mlp, pca, mlp-long, mlp-median-floor, pca-median-floor). A full-covariance Mahalanobis distance on the standardised input
/// (fitted on the whole reference) says what a whitened view of the raw columns sees. Seeds: NFP_DIAG_SEEDS (default 1,2,3).
/// Diagnosis only: no default is chosen here.
/// </summary>
internal static class TabularDiagnosis
{
    public static Task RunAsync(TextWriter output)
    {
        var seeds = (Environment.GetEnvironmentVariable("NFP_DIAG_SEEDS") ?? "1,2,3").Split(',').Select(int.Parse).ToArray();
        var variants = (Environment.GetEnvironmentVariable("NFP_DIAG_VARIANTS") ?? "mlp,pca").Split(',');
        var model = PanelModels.All("tabular").Single();
        var sets = new List<(string Name, FloatTensor Records)> { ("in-distribution test", model.InDistribution) };
        sets.AddRange(model.Sets.Select(s => ($"{s.Name} ({(s.Role == SetRole.Validation ? "V" : "T")})", s.Records)));

        output.WriteLine($"Tabular model, {model.Reference.Records} reference rows, {model.InDistribution.Records} test rows; seeds {string.Join(",", seeds)}.");
        output.WriteLine();
        PrintInputMahalanobis(output, model, sets);
        foreach (var variant in variants)
        {
            var rows = new Dictionary<string, List<double>>();
            var layerRows = new Dictionary<string, List<string>>();
            foreach (var seed in seeds)
            {
                var options = Options(variant) with { Seed = seed, Detectors = [] };
                var outcome = FingerprintBuilder.Build(model.Onnx, model.Reference, options, null, CancellationToken.None);
                var manifest = outcome.Fingerprint.Manifest;
                foreach (var layer in manifest.Layers)
                {
                    var key = layer.Name;
                    if (!layerRows.TryGetValue(key, out var list)) layerRows[key] = list = [];
                    list.Add($"{layer.Features} → {string.Join("-", layer.AutoencoderWidths)}, {layer.Epochs} ep{(layer.StoppedEarly ? " (early)" : "")}, train {layer.TrainError:G3} / held-out {layer.ValidationError:G3} / calibration median {layer.HeldOutMedianError:G3}");
                }
                using var scorer = new FingerprintScorer(outcome.Fingerprint);
                var count = scorer.StatisticCount;
                string Name(int s) => s < manifest.Layers.Count ? $"{manifest.Layers[s].Name} error" : $"{manifest.Layers.Where(l => l.LatentOutput is not null).ElementAt(s - manifest.Layers.Count).Name} latent";
                var perSet = sets.Select(s => Statistics(scorer, s.Records, count)).ToArray();
                var integrated = sets.Select(s => Integrated(scorer, s.Records)).ToArray();
                for (var k = 1; k < sets.Count; k++)
                {
                    Add(rows, $"integrated|{sets[k].Name}", OodMetrics.Compute(integrated[0], integrated[k]).Auroc);
                    for (var s = 0; s < count; s++)
                        Add(rows, $"{Name(s)}|{sets[k].Name}", OodMetrics.Compute(perSet[0][s], perSet[k][s]).Auroc);
                }
                Add(rows, "realised FPR|in-distribution test", integrated[0].Zip(Flags(scorer, model.InDistribution)).Count(p => p.Second) / (double)model.InDistribution.Records);
            }
            output.WriteLine($"### Variant `{variant}`: layers (per seed)");
            output.WriteLine();
            foreach (var (layer, list) in layerRows)
                output.WriteLine($"- {layer}: {string.Join("; ", list)}");
            output.WriteLine();
            output.WriteLine($"### Variant `{variant}`: AUROC of each statistic alone, mean [min–max] over seeds");
            output.WriteLine();
            var setNames = sets.Skip(1).Select(s => s.Name).ToArray();
            output.WriteLine($"| statistic | {string.Join(" | ", setNames)} |");
            output.WriteLine($"|---|{string.Concat(setNames.Select(_ => "---:|"))}");
            foreach (var statistic in rows.Keys.Select(k => k.Split('|')[0]).Distinct().Where(s => s != "realised FPR"))
                output.WriteLine($"| {statistic} | {string.Join(" | ", setNames.Select(s => rows.TryGetValue($"{statistic}|{s}", out var v) ? $"{v.Average():F3} [{v.Min():F3}–{v.Max():F3}]" : "–"))} |");
            var fpr = rows["realised FPR|in-distribution test"];
            output.WriteLine();
            output.WriteLine($"Realised FPR per seed: {string.Join(", ", fpr.Select(f => f.ToString("P1")))}.");
            output.WriteLine();
        }
        return Task.CompletedTask;
    }

    private static FingerprintOptions Options(string variant) => variant switch
    {
        "auto" => new FingerprintOptions(),
        "mlp" => new FingerprintOptions { Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp } },
        "pca" => new FingerprintOptions { Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Pca } },
        "mlp-long" => new FingerprintOptions { Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 400, Patience = 20 } },
        "mlp-median-floor" => new FingerprintOptions { Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp }, InputScaleFloorByMedian = true },
        "pca-median-floor" => new FingerprintOptions { Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Pca }, InputScaleFloorByMedian = true },
        _ => throw new ArgumentException($"Unknown NFP_DIAG_VARIANTS entry '{variant}': auto, mlp, pca, mlp-long, mlp-median-floor, pca-median-floor."),
    };

    private static void Add(Dictionary<string, List<double>> rows, string key, double value)
    {
        if (!rows.TryGetValue(key, out var list)) rows[key] = list = [];
        list.Add(value);
    }

    /// <summary>[statistic][record] of one set.</summary>
    private static double[][] Statistics(FingerprintScorer scorer, FloatTensor records, int count)
    {
        var n = records.Records;
        var values = new float[n * count];
        scorer.ComputeErrors(RecordValidator.Validate(records, scorer.InputShape), values, new int[n], default);
        return [.. Enumerable.Range(0, count).Select(s => Enumerable.Range(0, n).Select(r => (double)values[r * count + s]).ToArray())];
    }

    private static double[] Integrated(FingerprintScorer scorer, FloatTensor records)
    {
        var scores = new double[records.Records];
        scorer.ScoreInto(records, new bool[records.Records], scores);
        return scores;
    }

    private static bool[] Flags(FingerprintScorer scorer, FloatTensor records)
    {
        var flags = new bool[records.Records];
        scorer.ScoreInto(records, flags, new double[records.Records]);
        return flags;
    }

    /// <summary>A full-covariance Gaussian on the raw columns (fitted on the whole reference): what a whitened view of the input sees.</summary>
    private static void PrintInputMahalanobis(TextWriter output, PanelModel model, List<(string Name, FloatTensor Records)> sets)
    {
        var reference = model.Reference;
        int n = reference.Records, d = reference.RecordLength;
        // Standardised first: the fit's ridge is relative to the mean variance, which the raw area column (~10⁵) would set alone.
        var (columnMean, columnVariance) = ColumnMoments.MeanAndVariance(reference);
        var sd = columnVariance.Select(v => Math.Sqrt(Math.Max(v, 1e-30))).ToArray();
        var rows = reference.Data.Select((v, i) => (v - columnMean[i % d]) / sd[i % d]).ToArray();
        var (mean, inverseCholesky) = GaussianFit.Fit(rows, n, d, diagonal: false);
        var (_, diagonalInverse) = GaussianFit.Fit(rows, n, d, diagonal: true);
        double[] Distances(FloatTensor x, double[] inverse)
        {
            var centred = new double[d];
            var result = new double[x.Records];
            for (var r = 0; r < x.Records; r++)
            {
                for (var j = 0; j < d; j++) centred[j] = (x.Data[r * d + j] - columnMean[j]) / sd[j] - mean[j];
                result[r] = GaussianFit.SquaredDistance(centred, inverse);
            }
            return result;
        }
        output.WriteLine("### The raw columns under one Gaussian (fitted on the whole reference; diagnosis only)");
        output.WriteLine();
        output.WriteLine($"| statistic | {string.Join(" | ", sets.Skip(1).Select(s => s.Name))} |");
        output.WriteLine($"|---|{string.Concat(sets.Skip(1).Select(_ => "---:|"))}");
        foreach (var (name, inverse) in new[] { ("full covariance (whitened)", inverseCholesky), ("diagonal (standardised)", diagonalInverse) })
        {
            var id = Distances(sets[0].Records, inverse);
            output.WriteLine($"| {name} | {string.Join(" | ", sets.Skip(1).Select(s => OodMetrics.Compute(id, Distances(s.Records, inverse)).Auroc.ToString("F3")))} |");
        }
        output.WriteLine();
    }
}
