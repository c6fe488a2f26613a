using System.Diagnostics;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Metrics;

namespace NeuralFP.Core.Evaluation;

/// <summary>
/// Evaluates a fingerprint and every detector fitted beside it on an in-distribution set and OOD
/// sets, from the same model and activations. The combined detector (fixed members, fitted on held-out
/// in-distribution data) is one of the fitted detectors; nothing here is chosen by looking at the OOD sets.
/// </summary>
public static class FingerprintEvaluator
{
    public const string FingerprintDetector = "fingerprint";
    public const string MaxSoftmaxDetector = DetectorNames.MaxSoftmax;

    /// <param name="progress">One line per set and detector scored (sets can take minutes on a large model).</param>
    public static EvaluationReport Evaluate(FingerprintScorer scorer, LabelledSet inDistribution, IReadOnlyList<LabelledSet> outOfDistribution, CancellationToken cancellationToken = default,
        IProgress<string>? progress = null)
    {
        var sets = outOfDistribution.Count + 1;
        var id = Run(scorer, inDistribution, $"1/{sets}", progress, cancellationToken);
        var oods = outOfDistribution.Select((set, i) => (set.Name, Scores: Run(scorer, set, $"{i + 2}/{sets}", progress, cancellationToken))).ToArray();
        var detectors = id.Keys.ToArray();

        var rows = new List<EvaluationRow>();
        foreach (var (name, scores) in oods)
        foreach (var detector in detectors)
            rows.Add(new EvaluationRow(detector, name, OodMetrics.Compute(id[detector].Scores, scores[detector].Scores), scores[detector].FlaggedShare));

        var summaries = detectors.Select(d => new DetectorEvaluation(
            d,
            id[d].FlaggedShare,
            id[d].RecordsPerSecond,
            d == FingerprintDetector ? scorer.Fingerprint.Manifest.BuildSeconds : scorer.Fingerprint.Manifest.Detectors.FirstOrDefault(s => s.Name == d)?.FitSeconds,
            d == FingerprintDetector ? scorer.Fingerprint.ScorerOnnx.LongLength : scorer.Fingerprint.Detectors.Detectors.FirstOrDefault(x => x.Name == d)?.StateBytes,
            scorer.Fingerprint.Manifest.Detectors.FirstOrDefault(s => s.Name == d)?.KeepsReferenceData ?? false)).ToArray();
        var calibration = scorer.Fingerprint.Manifest.Calibration;
        return new EvaluationReport(inDistribution.Name, inDistribution.Records.Records, calibration.TargetFpr, id[FingerprintDetector].FlaggedShare, rows) { Detectors = summaries };
    }

    private sealed record SetScores(double[] Scores, double[] PValues, double FlaggedShare, double RecordsPerSecond);

    /// <summary>Scores of every detector on one set: the fingerprint's from its own run, the others' from theirs.</summary>
    private static Dictionary<string, SetScores> Run(FingerprintScorer scorer, LabelledSet set, string position, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var n = set.Records.Records;
        var detectors = scorer.Fingerprint.Detectors.Names.ToArray();
        void Report(string detector, int done, TimeSpan took) =>
            progress?.Report($"set {position} '{set.Name}' ({n:N0} records): {detector} [{done}/{detectors.Length + 1}] {took.TotalSeconds:F1} s");
        var result = new Dictionary<string, SetScores>();
        var ood = new bool[n];
        var scores = new double[n];
        var clock = Stopwatch.StartNew();
        scorer.ScoreInto(set.Records, ood, scores, default, cancellationToken);
        var rate = n / clock.Elapsed.TotalSeconds;
        Report(FingerprintDetector, 1, clock.Elapsed);
        // The fingerprint's p-value is the Bonferroni min p, 10^−score, capped at 1.
        result[FingerprintDetector] = new SetScores(scores, scores.Select(s => Math.Min(1, Math.Pow(10, -s))).ToArray(), Share(ood), rate);
        foreach (var (detector, i) in detectors.Select((d, i) => (d, i)))
        {
            clock.Restart();
            var d = scorer.ScoreDetectors(set.Records, [detector], cancellationToken)[0];
            result[detector] = new SetScores(d.Scores, d.PValues, Share(d.Ood), n / clock.Elapsed.TotalSeconds);
            Report(detector, i + 2, clock.Elapsed);
        }
        return result;
    }

    private static double Share(bool[] flags) => flags.Length == 0 ? 0 : (double)flags.Count(f => f) / flags.Length;
}
