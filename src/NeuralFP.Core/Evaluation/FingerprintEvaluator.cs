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

    public static EvaluationReport Evaluate(FingerprintScorer scorer, LabelledSet inDistribution, IReadOnlyList<LabelledSet> outOfDistribution, CancellationToken cancellationToken = default)
    {
        var id = Run(scorer, inDistribution, cancellationToken);
        var oods = outOfDistribution.Select(set => (set.Name, Scores: Run(scorer, set, cancellationToken))).ToArray();
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
    private static Dictionary<string, SetScores> Run(FingerprintScorer scorer, LabelledSet set, CancellationToken cancellationToken)
    {
        var n = set.Records.Records;
        var result = new Dictionary<string, SetScores>();
        var ood = new bool[n];
        var scores = new double[n];
        var clock = Stopwatch.StartNew();
        scorer.ScoreInto(set.Records, ood, scores, default, cancellationToken);
        var rate = n / clock.Elapsed.TotalSeconds;
        // The fingerprint's p-value is the Bonferroni min p, 10^−score, capped at 1.
        result[FingerprintDetector] = new SetScores(scores, scores.Select(s => Math.Min(1, Math.Pow(10, -s))).ToArray(), Share(ood), rate);
        foreach (var detector in scorer.Fingerprint.Detectors.Names)
        {
            clock.Restart();
            var d = scorer.ScoreDetectors(set.Records, [detector], cancellationToken)[0];
            result[detector] = new SetScores(d.Scores, d.PValues, Share(d.Ood), n / clock.Elapsed.TotalSeconds);
        }
        return result;
    }

    private static double Share(bool[] flags) => flags.Length == 0 ? 0 : (double)flags.Count(f => f) / flags.Length;
}
