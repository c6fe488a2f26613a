using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Benchmarks;

/// <summary>
/// Would cross-fitted calibration steady the tabular model's realised FPR? The fingerprint's statistics (per layer: PCA
/// reconstruction error and latent distance, as the default builds them on a small reference) recomputed on the C# path,
/// two ways per seed: <b>split</b>, the build's own (autoencoders on the training split, the per-class Gaussian
/// calibrated on the ~196 held-out and early-stopping rows); <b>cross-fit</b>, every reference row a calibration row
/// (K seeded folds, each row's statistics from autoencoders fitted without its fold; scoring with autoencoders fitted on
/// all rows). Both are scored on the same 170 test rows. NFP_DIAG_SEEDS (default 1..20), NFP_DIAG_FOLDS (default 10).
/// An experiment: the build is unchanged by it.
/// </summary>
internal static class CrossFitExperiment
{
    private const double Alpha = 0.05;

    public static Task RunAsync(TextWriter output)
    {
        var seeds = (Environment.GetEnvironmentVariable("NFP_DIAG_SEEDS") ?? string.Join(",", Enumerable.Range(1, 20))).Split(',').Select(int.Parse).ToArray();
        var folds = int.TryParse(Environment.GetEnvironmentVariable("NFP_DIAG_FOLDS"), out var k) && k > 1 ? k : 10;
        var model = PanelModels.All("tabular").Single();
        var defaults = new FingerprintOptions { Detectors = [] };
        // The layers the default build taps, read from one build.
        var layers = FingerprintBuilder.Build(model.Onnx, model.Reference, defaults, null, CancellationToken.None).Fingerprint.Manifest.Layers.Select(l => l.Name).ToArray();
        var onnx = OnnxModel.Load(model.Onnx);
        using var extractor = new ActivationExtractor(onnx, [.. layers.Select(name => new LayerSpec(name, PoolingSpec.None))]);
        var reference = extractor.Extract(model.Reference);
        var test = extractor.Extract(model.InDistribution);
        int[] Classes(ActivationSet set) => [.. Enumerable.Range(0, set.Records).Select(r => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(set.Outputs.Record(r)))];
        var referenceClasses = Classes(reference);
        var testClasses = Classes(test);
        var n = reference.Records;

        var rows = seeds.Select(seed => Compare(reference, referenceClasses, test, testClasses, defaults with { Seed = seed }, folds, layers.Length)).ToArray();
        // The same comparison with the 170 test rows replaced, seed by seed, by 120 reference rows drawn out of the reference
        // (exchangeable with the rest): the mean over seeds then no longer carries one fixed test draw.
        var swapped = seeds.Select(seed =>
        {
            var order = Enumerable.Range(0, reference.Records).ToArray();
            new Random(1000 + seed).Shuffle(order);
            int[] pseudoTest = [.. order.Take(120).Order()], kept = [.. order.Skip(120).Order()];
            return Compare(Subset(reference, kept), referenceClasses.Gather(kept), Subset(reference, pseudoTest), referenceClasses.Gather(pseudoTest), defaults with { Seed = seed }, folds, layers.Length);
        }).ToArray();

        output.WriteLine($"Tabular model, {n} reference rows, {test.Records} test rows, {folds} folds; seeds {string.Join(",", seeds)}. Statistics on the C# path (the build computes them in the fused graph).");
        output.WriteLine();
        output.WriteLine("| calibration | n_cal | sampling sd (n_cal and n_test) | of which the test rows' own | realised FPR mean [min–max] | sd over seeds | seeds outside 5 ± 2 pp |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        void Row(string name, int nCal, int nTest, IReadOnlyList<double> rates)
        {
            var mean = rates.Average();
            var sd = Math.Sqrt(rates.Sum(r => (r - mean) * (r - mean)) / Math.Max(1, rates.Count - 1));
            output.WriteLine($"| {name} | {nCal} | {100 * Math.Sqrt(Alpha * (1 - Alpha) * (1.0 / nCal + 1.0 / nTest)):F2} pp | {100 * Math.Sqrt(Alpha * (1 - Alpha) / nTest):F2} pp | {mean:P1} [{rates.Min():P1}–{rates.Max():P1}] | {100 * sd:F2} pp | {rates.Count(r => Math.Abs(r - Alpha) > 0.02)} of {rates.Count} |");
        }
        Row("split (the build's), the 170 test rows", rows[0].SplitCalibration, test.Records, [.. rows.Select(r => r.Split)]);
        Row($"cross-fit, {folds} folds, the 170 test rows", n, test.Records, [.. rows.Select(r => r.CrossFit)]);
        Row("split, 279 reference rows, 120 held-out reference rows as the test (redrawn per seed)", swapped[0].SplitCalibration, 120, [.. swapped.Select(r => r.Split)]);
        Row($"cross-fit, {folds} folds, the same", n - 120, 120, [.. swapped.Select(r => r.CrossFit)]);
        output.WriteLine();
        output.WriteLine($"Per seed on the 170 test rows (split / cross-fit): {string.Join(", ", rows.Select(r => $"{r.Seed}: {r.Split:P1} / {r.CrossFit:P1}"))}.");
        output.WriteLine();
        return Task.CompletedTask;
    }

    /// <summary>One seed: the realised FPR on <paramref name="test"/> under the build's split calibration and under cross-fitting.</summary>
    private static (int Seed, double Split, double CrossFit, int SplitCalibration) Compare(ActivationSet reference, int[] referenceClasses, ActivationSet test, int[] testClasses, FingerprintOptions options, int folds, int layers)
    {
        var n = reference.Records;
        var seed = options.Seed;
        // Split: the build's own parts.
        var split = ReferenceSplit.Create(n, options.HeldOutFraction, options.ValidationFraction, seed, options.MaxTrainingRecords);
        var splitFit = Fit(reference, split.Train, options);
        var splitRate = Realised(Statistics(splitFit, reference, split.Calibration), referenceClasses.Gather(split.Calibration), splitFit, test, testClasses, layers);

        // Cross-fit: K seeded folds over every reference row.
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        var outOfFold = new float[2 * layers][];
        for (var s = 0; s < outOfFold.Length; s++) outOfFold[s] = new float[n];
        for (var f = 0; f < folds; f++)
        {
            var held = order.Where((_, i) => i % folds == f).Order().ToArray();
            var train = order.Where((_, i) => i % folds != f).Order().ToArray();
            var values = Statistics(Fit(reference, train, options), reference, held);
            for (var s = 0; s < values.Length; s++)
                for (var i = 0; i < held.Length; i++) outOfFold[s][held[i]] = values[s][i];
        }
        var all = Enumerable.Range(0, n).ToArray();
        var crossRate = Realised(outOfFold, referenceClasses, Fit(reference, all, options), test, testClasses, layers);
        return (options.Seed, splitRate, crossRate, split.Calibration.Length);
    }

    private static ActivationSet Subset(ActivationSet set, int[] rows) => new(set.Layers, [.. set.Features.Select(f => f.Gather(rows))], set.Outputs.Gather(rows));

    private sealed record LayerFit(Standardizer Standardizer, Autoencoder Autoencoder, LatentDistance Latent);

    /// <summary>Per layer: standardisation, autoencoder (the default kind, PCA at this size) and latent distance on <paramref name="rows"/>.</summary>
    private static LayerFit[] Fit(ActivationSet reference, int[] rows, FingerprintOptions options) =>
        [.. reference.Features.Select((features, l) =>
        {
            var x = features.Gather(rows);
            var standardizer = Standardizer.Fit(x, options.ScaleFloor);
            var z = standardizer.Transform(x);
            var autoencoder = AutoencoderTrainer.Fit(z, new FloatTensor([], [0, z.RecordLength]), options.Autoencoder with { Seed = options.Seed + l });
            return new LayerFit(standardizer, autoencoder, LatentDistance.Fit(LatentDistance.Encode(autoencoder.Layers, z)));
        })];

    /// <summary>[statistic][row]: every layer's error, then every layer's latent distance, as the scorer orders them.</summary>
    private static float[][] Statistics(LayerFit[] fit, ActivationSet set, int[] rows)
    {
        var errors = new float[fit.Length][];
        var latents = new float[fit.Length][];
        for (var l = 0; l < fit.Length; l++)
        {
            var z = fit[l].Standardizer.Transform(set.Features[l].Gather(rows));
            errors[l] = fit[l].Autoencoder.Errors(z);
            latents[l] = fit[l].Latent.Distances(LatentDistance.Encode(fit[l].Autoencoder.Layers, z));
        }
        return [.. errors, .. latents];
    }

    /// <summary>The share of test rows the per-class Gaussian flags, calibrated on <paramref name="calibration"/>.</summary>
    private static double Realised(float[][] calibration, int[] classes, LayerFit[] scoring, ActivationSet test, int[] testClasses, int layers)
    {
        var names = Enumerable.Range(0, layers).Select(l => $"layer {l}").ToArray();
        var rule = OneOutRule.Calibrate(names, calibration.Take(layers).ToArray(), Alpha, twoSided: false);
        var integration = LayerIntegration.Calibrate(IntegrationKinds.GaussianPerClass, rule, calibration, Alpha, [.. names.Select(x => $"{x} latent")], classes);
        var statistics = Statistics(scoring, test, [.. Enumerable.Range(0, test.Records)]);
        var record = new float[statistics.Length];
        var flagged = 0;
        for (var r = 0; r < test.Records; r++)
        {
            for (var s = 0; s < record.Length; s++) record[s] = statistics[s][r];
            if (integration.IsOod(integration.Score(rule, record, testClasses[r]))) flagged++;
        }
        return flagged / (double)test.Records;
    }

    private static int[] Gather(this int[] values, int[] at) => [.. at.Select(i => values[i])];
}
