namespace NeuralFP.Application.Errors;

/// <summary>models/{modelId}/fingerprint.json cannot be used as fingerprint options.</summary>
public sealed class InvalidFingerprintOptionsException(string message) : Exception(message);
