using global::Azure.Storage.Blobs;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Azure.Configuration;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Azure.Blobs;

/// <summary>
/// Fingerprint artifacts under <c>fingerprints/{modelId}/{version}/</c>. A version folder is written
/// completely before the registry is pointed at it, and version numbers are never reused, so readers
/// never see a half-written current artifact.
/// </summary>
public sealed class BlobFingerprintStore(StorageClients clients, StorageResilience resilience) : IFingerprintStore
{
    private readonly BlobContainerClient _container = clients.Fingerprints;

    public async Task WriteAsync(string modelId, int version, IReadOnlyDictionary<string, byte[]> files, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0) throw new ArgumentException("A fingerprint has at least one file.", nameof(files));
        foreach (var (name, bytes) in files)
        {
            var blob = _container.GetBlobClient(IFingerprintStore.Prefix(modelId, version) + name);
            try
            {
                // A container deleted under the running app is created again: a build must not fail for good at its last step.
                await resilience.WriteCreatingAsync(async ct => await blob.UploadAsync(new BinaryData(bytes), overwrite: true, ct).ConfigureAwait(false),
                    async ct => await _container.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
            catch (global::Azure.RequestFailedException e) when (StorageResilience.AsRejection(e, $"the fingerprints container '{_container.Name}'") is { } rejected)
            {
                throw rejected;
            }
        }
    }

    /// <summary>Every file of one version, by file name; empty when the version does not exist.</summary>
    public async Task<IReadOnlyDictionary<string, byte[]>> ReadAsync(string modelId, int version, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        var prefix = IFingerprintStore.Prefix(modelId, version);
        var names = await ListAsync(prefix, cancellationToken).ConfigureAwait(false);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var blob = _container.GetBlobClient(name);
            var content = await resilience.ExecuteAsync(async ct => (await blob.DownloadContentAsync(ct).ConfigureAwait(false)).Value.Content, cancellationToken).ConfigureAwait(false);
            files[name[prefix.Length..]] = content.ToArray();
        }
        return files;
    }

    public async Task<IReadOnlyList<StoredFile>> ListAsync(string modelId, int version, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        var prefix = IFingerprintStore.Prefix(modelId, version);
        return await resilience.ExecuteAsync(async ct =>
        {
            var files = new List<StoredFile>();
            await foreach (var item in _container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, prefix, ct).ConfigureAwait(false))
                files.Add(new StoredFile(item.Name[prefix.Length..], item.Properties.ContentLength ?? 0, item.Properties.ETag?.ToString() ?? ""));
            return files.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Stream> OpenReadAsync(string modelId, int version, StoredFile file, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        ArgumentNullException.ThrowIfNull(file);
        var blob = _container.GetBlobClient(IFingerprintStore.Prefix(modelId, version) + file.Name);
        // Reads in 4 MiB ranges, each pinned to the ETag of the first: a blob rewritten while it is read fails the read
        // instead of mixing contents (and one rewritten since the listing no longer has the listed length, which the archive checks).
        var options = new global::Azure.Storage.Blobs.Models.BlobOpenReadOptions(allowModifications: false);
        return await resilience.ExecuteAsync(async ct => await blob.OpenReadAsync(options, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a version's files (a failed or superseded build); best effort, never touches the current version's folder by itself.</summary>
    public async Task DeleteAsync(string modelId, int version, CancellationToken cancellationToken)
    {
        foreach (var name in await ListAsync(IFingerprintStore.Prefix(modelId, version), cancellationToken).ConfigureAwait(false))
        {
            var blob = _container.GetBlobClient(name);
            await resilience.ExecuteAsync(async ct => await blob.DeleteIfExistsAsync(cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<List<string>> ListAsync(string prefix, CancellationToken cancellationToken)
        => await resilience.ExecuteAsync(async ct =>
        {
            var names = new List<string>();
            await foreach (var item in _container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, prefix, ct).ConfigureAwait(false))
                names.Add(item.Name);
            return names;
        }, cancellationToken).ConfigureAwait(false);
}
