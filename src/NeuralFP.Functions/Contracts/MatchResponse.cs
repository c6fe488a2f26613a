using NeuralFP.Core.Matching;

namespace NeuralFP.Functions.Contracts;

/// <summary>Ready models ranked by how well the batch fits each (rank 1 fits best); models whose input the records do not fit are listed as skipped.</summary>
public sealed record MatchResponse(int Records, IReadOnlyList<MatchResult> Matches, IReadOnlyList<SkippedModel> Skipped);
