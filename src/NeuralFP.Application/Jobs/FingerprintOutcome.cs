namespace NeuralFP.Application.Jobs;

/// <summary>What one fingerprinting invocation did.</summary>
public sealed record FingerprintOutcome(string ModelId, FingerprintOutcomeKind Kind, int? Version, string Message);
