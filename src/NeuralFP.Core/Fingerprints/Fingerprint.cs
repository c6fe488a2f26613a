using System.Text.Json;

namespace NeuralFP.Core.Fingerprints;

/// <summary>The artifact: <c>fingerprint.json</c> (the manifest) and <c>scorer.onnx</c> (model fused with its autoencoders).</summary>
public sealed class Fingerprint
{
    public const string ManifestFileName = "fingerprint.json";
    public const string ScorerFileName = "scorer.onnx";

    public Fingerprint(FingerprintManifest manifest, byte[] scorerOnnx, DetectorSet? detectors = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(scorerOnnx);
        if (manifest.FormatVersion != FingerprintManifest.CurrentFormatVersion)
            throw new InvalidDataException($"Fingerprint format version {manifest.FormatVersion} is not supported (this build reads version {FingerprintManifest.CurrentFormatVersion}); rebuild the fingerprint.");
        Manifest = manifest;
        ScorerOnnx = scorerOnnx;
        Detectors = detectors ?? new DetectorSet(null, []);
    }

    public FingerprintManifest Manifest { get; }

    public byte[] ScorerOnnx { get; }

    /// <summary>The other detectors fitted from the same activations (empty when none were).</summary>
    public DetectorSet Detectors { get; }

    /// <summary>File name → bytes, as stored under <c>fingerprints/{modelId}/{version}/</c>.</summary>
    public IReadOnlyDictionary<string, byte[]> ToFiles()
    {
        var files = new Dictionary<string, byte[]>
        {
            [ManifestFileName] = JsonSerializer.SerializeToUtf8Bytes(Manifest, FingerprintJson.Options),
            [ScorerFileName] = ScorerOnnx,
        };
        if (Detectors.Detectors.Count > 0) files[DetectorSet.FileName] = Detectors.ToJson();
        return files;
    }

    /// <exception cref="InvalidDataException">A file is missing or the manifest cannot be read.</exception>
    public static Fingerprint FromFiles(IReadOnlyDictionary<string, byte[]> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (!files.TryGetValue(ManifestFileName, out var manifestBytes))
            throw new InvalidDataException($"The fingerprint has no {ManifestFileName}.");
        if (!files.TryGetValue(ScorerFileName, out var scorer))
            throw new InvalidDataException($"The fingerprint has no {ScorerFileName}.");
        FingerprintManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<FingerprintManifest>(manifestBytes, FingerprintJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{ManifestFileName} cannot be read: {e.Message}", e);
        }
        var detectors = files.TryGetValue(DetectorSet.FileName, out var detectorBytes) ? DetectorSet.FromJson(detectorBytes) : null;
        return new Fingerprint(manifest ?? throw new InvalidDataException($"{ManifestFileName} is empty."), scorer, detectors);
    }

    public async Task SaveAsync(string directory, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, bytes) in ToFiles())
            await File.WriteAllBytesAsync(Path.Combine(directory, name), bytes, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<Fingerprint> LoadAsync(string directory, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"No fingerprint directory at '{directory}'; build one with `nfp fingerprint --out {directory}`.");
        var files = new Dictionary<string, byte[]>();
        foreach (var name in new[] { ManifestFileName, ScorerFileName, DetectorSet.FileName })
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path)) files[name] = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        return FromFiles(files);
    }
}
