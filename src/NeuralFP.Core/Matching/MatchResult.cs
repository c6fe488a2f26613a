namespace NeuralFP.Core.Matching;

/// <summary>How well one batch fits one fingerprinted model. Higher <see cref="Score"/> fits better.</summary>
/// <param name="ModelId">The fingerprint's model id.</param>
/// <param name="Score">Match score in [0, 1]; see README "Model match".</param>
/// <param name="InDistributionShare">Share of the batch's records with an in-distribution verdict.</param>
/// <param name="MeanDistance">Mean over layers of the distance between the batch's error distribution and the fingerprint's.</param>
/// <param name="LayerDistances">Per-layer distance, by layer name.</param>
/// <param name="Rank">1 = best fit.</param>
public sealed record MatchResult(
    string ModelId,
    double Score,
    double InDistributionShare,
    double MeanDistance,
    IReadOnlyDictionary<string, double> LayerDistances,
    int Rank);
