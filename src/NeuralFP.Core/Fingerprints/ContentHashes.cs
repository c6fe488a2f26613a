namespace NeuralFP.Core.Fingerprints;

/// <summary>SHA-256 (lowercase hex) of the three inputs of a fingerprint; equal hashes mean an equal fingerprint.</summary>
/// <param name="Model">Hash of model.onnx.</param>
/// <param name="Reference">Hash of reference.npy.</param>
/// <param name="Options">Hash of fingerprint.json, or of the empty string when the model has none.</param>
public sealed record ContentHashes(string Model, string Reference, string Options);
