namespace NeuralFP.Functions.Contracts;

/// <summary>A ready model the batch was not scored against, and why (its input shape does not fit the records).</summary>
public sealed record SkippedModel(string ModelId, string Reason);
