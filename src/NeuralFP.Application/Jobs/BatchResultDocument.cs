using NeuralFP.Core.Verdicts;

namespace NeuralFP.Application.Jobs;

/// <summary>The contents of <c>results/{batchId}.json</c>.</summary>
public sealed record BatchResultDocument(BatchSummary Summary, IReadOnlyList<Verdict> Verdicts);
