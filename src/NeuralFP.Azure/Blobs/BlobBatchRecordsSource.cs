using Microsoft.Extensions.Options;
using NeuralFP.Application.Configuration;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Ports;
using NeuralFP.Azure.Configuration;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Azure.Blobs;

/// <summary>The .npy blob a queued score request names, from any container of the service's account except the fingerprints'.</summary>
public sealed class BlobBatchRecordsSource(StorageClients clients, StorageResilience resilience, IOptions<ServiceOptions> limits) : IBatchRecordsSource
{
    public async Task<byte[]> DownloadAsync(string path, CancellationToken cancellationToken)
    {
        var (container, name) = ScoreRequest.SplitBlobPath(path);
        if (container == clients.Options.FingerprintsContainer)
            throw new InvalidScoreRequestException($"recordsBlob '{path}' points into the fingerprints container; put records in their own blob.");
        var blob = clients.Blobs.GetBlobContainerClient(container).GetBlobClient(name);
        var content = await BlobDownloader.DownloadIfExistsAsync(blob, limits.Value.MaxBatchBlobBytes, path, ServiceOptions.MaxBatchBlobBytesSetting, resilience, cancellationToken).ConfigureAwait(false);
        return content?.Bytes ?? throw new InvalidScoreRequestException($"recordsBlob '{path}' does not exist.");
    }
}
