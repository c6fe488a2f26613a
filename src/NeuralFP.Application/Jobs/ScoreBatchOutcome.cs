namespace NeuralFP.Application.Jobs;

/// <summary>A finished batch; <paramref name="Reused"/> when an earlier delivery of the same request had already produced it.</summary>
public sealed record ScoreBatchOutcome(BatchSummary Summary, bool Reused);
