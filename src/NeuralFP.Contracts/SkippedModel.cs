namespace NeuralFP.Contracts;

/// <summary>A ready model the batch was not scored against, and why (its input shape does not fit the records).</summary>
/// <param name="ModelId">The model's ID.</param>
/// <param name="Reason">Why it was skipped, e.g. its input shape.</param>
public sealed record SkippedModel(string ModelId, string Reason);
