using global::Azure.Storage.Blobs;
using Microsoft.Extensions.Options;
using NeuralFP.Application.Configuration;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Azure.Configuration;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Azure.Blobs;

/// <summary>The uploaded inputs under <c>models/{modelId}/</c>: model.onnx, reference.npy, optional fingerprint.json.</summary>
public sealed class BlobModelFileStore(StorageClients clients, StorageResilience resilience, IOptions<ServiceOptions> limits) : IModelFileStore
{
    private readonly BlobContainerClient _container = clients.Models;
    private readonly ServiceOptions _limits = limits.Value;

    public Task<BlobContent?> DownloadModelAsync(string modelId, CancellationToken cancellationToken)
        => DownloadAsync(modelId, ModelFiles.Model, _limits.MaxModelBytes, ServiceOptions.MaxModelBytesSetting, cancellationToken);

    public Task<BlobContent?> DownloadReferenceAsync(string modelId, CancellationToken cancellationToken)
        => DownloadAsync(modelId, ModelFiles.Reference, _limits.MaxReferenceBytes, ServiceOptions.MaxReferenceBytesSetting, cancellationToken);

    public Task<LocalFile?> DownloadReferenceToFileAsync(string modelId, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        var blob = _container.GetBlobClient(ModelFiles.BlobName(modelId, ModelFiles.Reference));
        return BlobDownloader.DownloadToFileIfExistsAsync(blob, _limits.MaxReferenceBytes, $"{_container.Name}/{blob.Name}", ServiceOptions.MaxReferenceBytesSetting, resilience, cancellationToken);
    }

    public Task<BlobContent?> DownloadOptionsAsync(string modelId, CancellationToken cancellationToken)
        => DownloadAsync(modelId, ModelFiles.Options, _limits.MaxOptionsBytes, nameof(ServiceOptions.MaxOptionsBytes), cancellationToken);

    public Task<BlobContent?> DownloadManifestAsync(string modelId, CancellationToken cancellationToken)
        => DownloadAsync(modelId, ModelFiles.Manifest, _limits.MaxOptionsBytes, nameof(ServiceOptions.MaxOptionsBytes), cancellationToken);

    public async Task UploadAsync(string modelId, string fileName, byte[] content, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        var blob = _container.GetBlobClient(ModelFiles.BlobName(modelId, fileName));
        await resilience.Transfer.ExecuteAsync(async ct => await blob.UploadAsync(new BinaryData(content), overwrite: true, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    private Task<BlobContent?> DownloadAsync(string modelId, string fileName, long maxBytes, string limitSetting, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        var blob = _container.GetBlobClient(ModelFiles.BlobName(modelId, fileName));
        return BlobDownloader.DownloadIfExistsAsync(blob, maxBytes, $"{_container.Name}/{blob.Name}", limitSetting, resilience, cancellationToken);
    }
}
