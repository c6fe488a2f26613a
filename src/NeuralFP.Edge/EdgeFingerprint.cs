using System.Security.Cryptography;
using System.Text.Json;
using NeuralFP.Core.Artifacts;
using NeuralFP.Core.Fingerprints;

namespace NeuralFP.Edge;

/// <summary>
/// A fingerprint as an edge gateway holds it: the archive the service serves at
/// <c>GET /api/models/{modelId}/fingerprint</c> (or the folder <c>nfp pull</c> wrote), read and checked: every file
/// present with its length and CRC, and the fingerprint built for the model the archive names.
/// </summary>
public sealed class EdgeFingerprint
{
    private EdgeFingerprint(ArtifactManifest artifact, Fingerprint fingerprint)
    {
        Artifact = artifact;
        Fingerprint = fingerprint;
    }

    /// <summary>Model id, version, model hash and files, as the service described the archive.</summary>
    public ArtifactManifest Artifact { get; }

    public Fingerprint Fingerprint { get; }

    public string ModelId => Artifact.ModelId;

    public int Version => Artifact.Version;

    /// <summary>SHA-256 (lowercase hex) of the model file the fingerprint belongs to.</summary>
    public string ModelSha256 => Artifact.ModelSha256;

    /// <summary>Reads an archive (the HTTP response body, or a file).</summary>
    /// <exception cref="InvalidDataException">Not a fingerprint archive, damaged, or inconsistent.</exception>
    public static async Task<EdgeFingerprint> LoadAsync(Stream archive, CancellationToken cancellationToken = default)
    {
        var (artifact, fingerprint) = await FingerprintArchive.ReadAsync(archive, cancellationToken).ConfigureAwait(false);
        return new EdgeFingerprint(artifact, fingerprint);
    }

    /// <summary>Reads an archive and refuses it unless it was built for <paramref name="model"/> (the bytes of the model the gateway runs).</summary>
    /// <exception cref="ModelMismatchException">The archive belongs to another model.</exception>
    public static async Task<EdgeFingerprint> LoadAsync(Stream archive, ReadOnlyMemory<byte> model, CancellationToken cancellationToken = default)
    {
        var fingerprint = await LoadAsync(archive, cancellationToken).ConfigureAwait(false);
        fingerprint.VerifyModel(model.Span);
        return fingerprint;
    }

    /// <summary>Reads a folder written by <see cref="SaveAsync"/> (<c>nfp pull</c>).</summary>
    public static async Task<EdgeFingerprint> LoadDirectoryAsync(string directory, CancellationToken cancellationToken = default)
    {
        var manifestPath = Path.Combine(directory, FingerprintArchive.ManifestEntryName);
        if (!File.Exists(manifestPath))
            throw new FileNotFoundException($"No {FingerprintArchive.ManifestEntryName} in '{directory}'; fetch the fingerprint with `nfp pull --out {directory}`.", manifestPath);
        ArtifactManifest artifact;
        await using (var stream = File.OpenRead(manifestPath))
            artifact = await JsonSerializer.DeserializeAsync<ArtifactManifest>(stream, FingerprintJson.Options, cancellationToken).ConfigureAwait(false)
                       ?? throw new InvalidDataException($"{manifestPath} is empty.");
        var fingerprint = await Fingerprint.LoadAsync(directory, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(fingerprint.Manifest.ModelSha256, artifact.ModelSha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"'{directory}': {FingerprintArchive.ManifestEntryName} names model {artifact.ModelSha256} but fingerprint.json was built from {fingerprint.Manifest.ModelSha256}.");
        return new EdgeFingerprint(artifact, fingerprint);
    }

    /// <summary>Writes <c>artifact.json</c> and the fingerprint's files into <paramref name="directory"/>.</summary>
    public async Task SaveAsync(string directory, CancellationToken cancellationToken = default)
    {
        await Fingerprint.SaveAsync(directory, cancellationToken).ConfigureAwait(false);
        await using var stream = File.Create(Path.Combine(directory, FingerprintArchive.ManifestEntryName));
        await JsonSerializer.SerializeAsync(stream, Artifact, FingerprintJson.Options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Throws unless <paramref name="model"/> hashes to the model this fingerprint was built for.</summary>
    /// <exception cref="ModelMismatchException">It does not.</exception>
    public void VerifyModel(ReadOnlySpan<byte> model)
    {
        var actual = Convert.ToHexStringLower(SHA256.HashData(model));
        if (!string.Equals(actual, ModelSha256, StringComparison.OrdinalIgnoreCase))
            throw new ModelMismatchException(ModelId, ModelSha256, actual);
    }
}
