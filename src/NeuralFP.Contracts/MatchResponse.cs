using NeuralFP.Core.Matching;

namespace NeuralFP.Contracts;

/// <summary>Ready models ranked by how well the batch fits each (rank 1 fits best); models whose input the records do not fit are listed as skipped.</summary>
/// <param name="Records">Records in the posted batch.</param>
/// <param name="Matches">Ready models whose input the records fit, best match first.</param>
/// <param name="Skipped">Ready models the batch was not scored against, with the reason.</param>
public sealed record MatchResponse(int Records, IReadOnlyList<MatchResult> Matches, IReadOnlyList<SkippedModel> Skipped);
