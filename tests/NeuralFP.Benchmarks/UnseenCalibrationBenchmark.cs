using NeuralFP.Core.Detectors;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Metrics;
using NeuralFP.Core.Shifts;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Benchmarks;

/// <summary>
/// A reference the model trained on against one that ends with records it did not (<see cref="FingerprintOptions.UnseenFrom"/>),
/// on the held-out digits table (tools/build_holdout.py), whose MLP trained 40 epochs on the 1,260 reference rows. Its 537
/// test rows are split in two folds: one is appended to the reference as the unseen records, the other measures the
/// realised FPR and the AUROC of the table's shifts; the folds swap, over seeds 1..NFP_UNSEEN_SEEDS (default 10). The
/// plain build never sees either fold. The held-out table is never used to choose anything: this measures an option.
/// </summary>
internal static class UnseenCalibrationBenchmark
{
    private static readonly string[] Watched = [DetectorNames.Combined, DetectorNames.MaxSoftmax, DetectorNames.Knn];

    public static Task RunAsync(TextWriter output)
    {
        var seeds = int.TryParse(Environment.GetEnvironmentVariable("NFP_UNSEEN_SEEDS"), out var s) && s > 0 ? s : 10;
        var model = PanelModels.All("digits-table").Single();
        var train = model.Reference;
        var test = model.InDistribution;
        var runs = new Dictionary<string, List<Run>> { ["training rows only"] = [], ["+ unseen fold, unseenFrom"] = [], ["+ unseen fold, unseenFrom, autoencoders on as many rows as the plain build"] = [], ["+ unseen fold, random split"] = [], ["training rows, measured on 268 of them left out of the build"] = [] };
        for (var seed = 1; seed <= seeds; seed++)
            for (var fold = 0; fold < 2; fold++)
            {
                var unseen = test.Gather([.. Enumerable.Range(0, test.Records).Where(i => i % 2 == fold)]);
                var measured = test.Gather([.. Enumerable.Range(0, test.Records).Where(i => i % 2 != fold)]);
                var options = new FingerprintOptions { Seed = seed };
                runs["training rows only"].Add(Measure(model.Onnx, train, options, measured, train));
                var appended = new FloatTensor([.. train.Data, .. unseen.Data], [train.Records + unseen.Records, .. train.Shape[1..]]);
                runs["+ unseen fold, unseenFrom"].Add(Measure(model.Onnx, appended, options with { UnseenFrom = train.Records }, measured, train));
                // Uncapped, the autoencoders train on all 1,260 rows and `auto` picks the MLP over PCA (1,000 and more):
                // capped to the plain build's training rows, only the calibration records differ.
                var plainTraining = ReferenceSplit.SizesFor(train.Records, options.HeldOutFraction, options.ValidationFraction, options.MaxTrainingRecords).Train;
                runs["+ unseen fold, unseenFrom, autoencoders on as many rows as the plain build"].Add(Measure(model.Onnx, appended, options with { UnseenFrom = train.Records, MaxTrainingRecords = plainTraining }, measured, train));
                runs["+ unseen fold, random split"].Add(Measure(model.Onnx, appended, options, measured, train));
                // A check on the calibration itself: records exchangeable with the calibration records (training rows too).
                var order = Enumerable.Range(0, train.Records).ToArray();
                new Random(1000 * seed + fold).Shuffle(order);
                runs["training rows, measured on 268 of them left out of the build"].Add(Measure(model.Onnx, train.Gather([.. order.Skip(268).Order()]), options, train.Gather([.. order.Take(268).Order()]), train));
            }

        output.WriteLine($"Digits table (held out), {train.Records} training rows as the reference, {test.Records} test rows in two folds of ~{test.Records / 2}; seeds 1..{seeds} × 2 folds = {2 * seeds} builds per row.");
        output.WriteLine();
        output.WriteLine($"| reference | n_cal | autoencoders | realised FPR, fingerprint: mean [min–max] | sd over builds | builds outside 5 ± 2 pp | {string.Join(" | ", Watched.Select(d => $"realised FPR, {d}"))} | AUROC calibration drift | AUROC feature noise | AUROC out of range |");
        output.WriteLine($"|---|---:|---|---:|---:|---:|{string.Concat(Watched.Select(_ => "---:|"))}---:|---:|---:|");
        foreach (var (name, list) in runs)
        {
            var rates = list.Select(r => r.Fpr).ToArray();
            var mean = rates.Average();
            var sd = Math.Sqrt(rates.Sum(r => (r - mean) * (r - mean)) / Math.Max(1, rates.Length - 1));
            output.WriteLine($"| {name} | {list.Average(r => r.Calibration):F0} | {string.Join(", ", list.Select(r => r.Autoencoders).Distinct())} | {mean:P1} [{rates.Min():P1}–{rates.Max():P1}] | {100 * sd:F2} pp | {rates.Count(r => Math.Abs(r - 0.05) > 0.02)} of {rates.Length} | " +
                $"{string.Join(" | ", Watched.Select(d => $"{list.Average(r => r.Detectors[d]):P1}"))} | {list.Average(r => r.Drift):F3} | {list.Average(r => r.Noise):F3} | {list.Average(r => r.OutOfRange):F3} |");
        }
        output.WriteLine();
        return Task.CompletedTask;
    }

    private sealed record Run(int Calibration, string Autoencoders, double Fpr, Dictionary<string, double> Detectors, double Drift, double Noise, double OutOfRange);

    private static Run Measure(byte[] onnx, FloatTensor reference, FingerprintOptions options, FloatTensor measured, FloatTensor trainingRows)
    {
        var fingerprint = FingerprintBuilder.Build(onnx, reference, options, null, CancellationToken.None).Fingerprint;
        using var scorer = new FingerprintScorer(fingerprint);
        var inDistribution = scorer.Score(measured);
        double Auroc(FloatTensor shifted) => OodMetrics.Compute(inDistribution.Scores, scorer.Score(shifted).Scores).Auroc;
        var detectors = scorer.ScoreDetectors(measured, Watched).ToDictionary(d => d.Detector, d => (double)d.Ood.Count(f => f) / d.Ood.Length);
        var kinds = string.Join("/", fingerprint.Manifest.Layers.Select(l => l.AutoencoderKind).Distinct());
        return new Run(fingerprint.Manifest.Calibration.HeldOutRecords, $"{kinds} on {fingerprint.Manifest.Calibration.TrainRecords}", (double)inDistribution.OodCount / measured.Records, detectors,
            Auroc(Corruptions.CalibrationDrift(measured)), Auroc(Corruptions.FeatureNoise(measured, trainingRows)), Auroc(Corruptions.OutOfRange(measured, trainingRows)));
    }
}
