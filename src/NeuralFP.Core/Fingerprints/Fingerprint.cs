namespace NeuralFP.Core.Fingerprints;

/// <summary>The artifact: <c>fingerprint.json</c> (the manifest) and <c>scorer.onnx</c> (model fused with its autoencoders).</summary>
public sealed class Fingerprint
{
    public const string ManifestFileName = "fingerprint.json";
    public const string ScorerFileName = "scorer.onnx";

    public Fingerprint(FingerprintManifest manifest, byte[] scorerOnnx) => throw new NotImplementedException();

    public FingerprintManifest Manifest => throw new NotImplementedException();

    public byte[] ScorerOnnx => throw new NotImplementedException();

    /// <summary>File name → bytes, as stored under <c>fingerprints/{modelId}/{version}/</c>.</summary>
    public IReadOnlyDictionary<string, byte[]> ToFiles() => throw new NotImplementedException();

    public static Fingerprint FromFiles(IReadOnlyDictionary<string, byte[]> files) => throw new NotImplementedException();

    public Task SaveAsync(string directory, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public static Task<Fingerprint> LoadAsync(string directory, CancellationToken cancellationToken = default) => throw new NotImplementedException();
}
