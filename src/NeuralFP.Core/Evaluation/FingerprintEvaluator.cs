using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Metrics;

namespace NeuralFP.Core.Evaluation;

/// <summary>
/// Evaluates a fingerprint on an in-distribution set and OOD sets, with the model's max-softmax
/// probability from the same run beside it as the floor to beat.
/// </summary>
public static class FingerprintEvaluator
{
    public const string FingerprintDetector = "fingerprint";
    public const string MaxSoftmaxDetector = "max-softmax";

    public static EvaluationReport Evaluate(FingerprintScorer scorer, LabelledSet inDistribution, IReadOnlyList<LabelledSet> outOfDistribution, CancellationToken cancellationToken = default)
    {
        var id = Run(scorer, inDistribution, cancellationToken);
        var rows = new List<EvaluationRow>();
        foreach (var set in outOfDistribution)
        {
            var ood = Run(scorer, set, cancellationToken);
            rows.Add(new EvaluationRow(FingerprintDetector, set.Name, OodMetrics.Compute(id.Scores, ood.Scores), ood.FlaggedShare));
            rows.Add(new EvaluationRow(MaxSoftmaxDetector, set.Name, OodMetrics.Compute(id.MspScores, ood.MspScores), null));
        }
        var calibration = scorer.Fingerprint.Manifest.Calibration;
        return new EvaluationReport(inDistribution.Name, inDistribution.Records.Records, calibration.TargetFpr, id.FlaggedShare, rows);
    }

    private sealed record SetScores(double[] Scores, double[] MspScores, double FlaggedShare);

    private static SetScores Run(FingerprintScorer scorer, LabelledSet set, CancellationToken cancellationToken)
    {
        var n = set.Records.Records;
        var ood = new bool[n];
        var scores = new double[n];
        var maxProbabilities = new float[n];
        scorer.ScoreInto(set.Records, ood, scores, maxProbabilities, cancellationToken);
        var msp = new double[n];
        for (var i = 0; i < n; i++) msp[i] = 1.0 - maxProbabilities[i];
        return new SetScores(scores, msp, (double)ood.Count(f => f) / n);
    }
}
