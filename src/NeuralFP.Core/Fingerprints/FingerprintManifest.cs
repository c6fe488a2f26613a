namespace NeuralFP.Core.Fingerprints;

/// <summary>Contents of fingerprint.json (shape to be completed by the engine).</summary>
public sealed record FingerprintManifest
{
    public int FormatVersion { get; init; } = 1;
    public required string ModelSha256 { get; init; }
    public required int[] InputShape { get; init; }
}
