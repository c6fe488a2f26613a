using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Support;

/// <summary>The fingerprint's score of each record, to compare two scorers record by record.</summary>
internal static class ScorerScores
{
    public static double[] ScoresOf(this FingerprintScorer scorer, FloatTensor records)
    {
        var scores = new double[records.Records];
        scorer.ScoreInto(records, new bool[records.Records], scores);
        return scores;
    }
}
