using Azure.Storage.Blobs;
using NeuralFP.Storage.Configuration;
using NeuralFP.Storage.Registry;
using NeuralFP.Storage.Resilience;

namespace NeuralFP.Storage.Blobs;

/// <summary>The uploaded inputs under <c>models/{modelId}/</c>: model.onnx, reference.npy, optional fingerprint.json.</summary>
public sealed class ModelBlobStore(StorageClients clients, StorageResilience resilience)
{
    private readonly BlobContainerClient _container = clients.Models;
    private readonly StorageOptions _options = clients.Options;

    public Task<BlobContent?> DownloadModelAsync(string modelId, CancellationToken cancellationToken)
        => DownloadAsync(modelId, ModelFiles.Model, _options.MaxModelBytes, SettingNames.MaxModelBytes, cancellationToken);

    public Task<BlobContent?> DownloadReferenceAsync(string modelId, CancellationToken cancellationToken)
        => DownloadAsync(modelId, ModelFiles.Reference, _options.MaxReferenceBytes, SettingNames.MaxReferenceBytes, cancellationToken);

    public Task<BlobContent?> DownloadOptionsAsync(string modelId, CancellationToken cancellationToken)
        // A hard-wired cap: options are a few hundred bytes; anything near 64 KiB is not an options file.
        => DownloadAsync(modelId, ModelFiles.Options, _options.MaxOptionsBytes, nameof(StorageOptions.MaxOptionsBytes), cancellationToken);

    public async Task UploadAsync(string modelId, string fileName, BinaryData content, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        var blob = _container.GetBlobClient(ModelFiles.BlobName(modelId, fileName));
        await resilience.ExecuteAsync(async ct => await blob.UploadAsync(content, overwrite: true, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    private Task<BlobContent?> DownloadAsync(string modelId, string fileName, long maxBytes, string limitSetting, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        var blob = _container.GetBlobClient(ModelFiles.BlobName(modelId, fileName));
        return BlobDownloader.DownloadIfExistsAsync(blob, maxBytes, $"{_container.Name}/{blob.Name}", limitSetting, resilience, cancellationToken);
    }
}
