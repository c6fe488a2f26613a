namespace NeuralFP.Application.Errors;

/// <summary>The upload's manifest.json cannot be read; the message says what to change.</summary>
public sealed class InvalidManifestException(string problem) : Exception($"manifest.json: {problem}");
