using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Matching;

/// <summary>Scores how well a batch fits a fingerprint, and ranks fingerprints by it.</summary>
public static class ModelMatcher
{
    /// <summary>
    /// One model's match for a batch, from the batch's layer errors ([layer][record]) under that
    /// model's rule. <see cref="MatchResult.Rank"/> is 0 until ranked.
    /// </summary>
    public static MatchResult Score(string modelId, OneOutRule rule, IReadOnlyList<float[]> batchErrors) => throw new NotImplementedException();

    /// <summary>Sorts by score, best first, and fills in ranks (ties broken by model id).</summary>
    public static IReadOnlyList<MatchResult> Rank(IEnumerable<MatchResult> results) => throw new NotImplementedException();
}
