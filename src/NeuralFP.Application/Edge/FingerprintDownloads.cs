using System.Security.Cryptography;
using System.Text;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Core.Artifacts;

namespace NeuralFP.Application.Edge;

/// <summary>
/// The current fingerprint of a model as one archive for edge gateways (<see cref="FingerprintArchive"/>), streamed
/// from the fingerprint store. The entity tag is derived from what fixes the archive's bytes (format, model, version,
/// model hash, and each file's name, length and store tag), so it is strong and costs one listing, not a read.
/// </summary>
public sealed class FingerprintDownloads(IModelRegistry registry, IFingerprintStore store)
{
    /// <summary>What the archive of the model's current version will hold, and its entity tag; nothing is read yet.</summary>
    /// <exception cref="ModelNotFoundException">No such model.</exception>
    /// <exception cref="ModelNotReadyException">The model has no current fingerprint.</exception>
    /// <exception cref="FingerprintUnreadableException">The registry names a version whose files are gone.</exception>
    public async Task<FingerprintDownload> PrepareAsync(string modelId, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        var record = await registry.GetAsync(modelId, cancellationToken).ConfigureAwait(false) ?? throw new ModelNotFoundException(modelId);
        if (record is not { CurrentVersion: int version, CurrentHashes: { } hashes })
            throw new ModelNotReadyException(modelId, record.Status, record.FailureReason);
        var files = await store.ListAsync(modelId, version, cancellationToken).ConfigureAwait(false);
        if (files.Count == 0)
            throw new FingerprintUnreadableException(modelId, version, $"fingerprints/{IFingerprintStore.Prefix(modelId, version)} holds no files");
        var manifest = new ArtifactManifest(ArtifactManifest.CurrentFormatVersion, modelId, version, hashes.Model,
            files.Select(f => new ArtifactFile(f.Name, f.Length)).ToArray());
        return new FingerprintDownload(manifest, files, EntityTag(manifest, files));
    }

    /// <summary>Writes the archive to <paramref name="output"/>, one file at a time, each streamed from the store.</summary>
    public Task WriteAsync(FingerprintDownload download, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(download);
        var byName = download.Files.ToDictionary(f => f.Name, StringComparer.Ordinal);
        return FingerprintArchive.WriteAsync(output, download.Manifest,
            (name, ct) => store.OpenReadAsync(download.Manifest.ModelId, download.Manifest.Version, byName[name], ct), cancellationToken);
    }

    private static string EntityTag(ArtifactManifest manifest, IReadOnlyList<StoredFile> files)
    {
        var text = new StringBuilder($"nfp-archive/{manifest.FormatVersion}\n{manifest.ModelId}\n{manifest.Version}\n{manifest.ModelSha256}\n");
        foreach (var file in files) text.Append(file.Name).Append('\t').Append(file.Length).Append('\t').Append(file.ETag).Append('\n');
        return "\"" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32] + "\"";
    }
}

/// <summary>A prepared download: the archive's manifest, the stored files behind it, and its strong entity tag (quoted).</summary>
public sealed record FingerprintDownload(ArtifactManifest Manifest, IReadOnlyList<StoredFile> Files, string ETag)
{
    /// <summary>A file name for the archive, e.g. <c>fmnist-cnn-v3.nfp.zip</c>.</summary>
    public string FileName => $"{Manifest.ModelId}-v{Manifest.Version}{FingerprintArchive.FileExtension}";
}
