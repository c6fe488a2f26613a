using Azure;
using global::Azure.Storage.Blobs;
using global::Azure.Storage.Blobs.Models;
using NeuralFP.Application.Ports;
using NeuralFP.Azure.Configuration;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Azure.Blobs;

/// <summary>
/// Batch results, <c>results/{batchId}.json</c>. Written once (create-only), tagged with the hash of the
/// request, so a redelivered message finds its earlier result and a reused batch id cannot overwrite it.
/// </summary>
public sealed class BlobResultsStore(StorageClients clients, StorageResilience resilience) : IResultsStore
{
    private const string RequestHashKey = "requestsha256";
    private readonly BlobContainerClient _container = clients.Results;

    public string PathOf(string batchId) => $"{_container.Name}/{BlobName(batchId)}";

    private static string BlobName(string batchId) => batchId + ".json";

    /// <summary>Writes the result unless one exists; false when a result for the batch was already there.</summary>
    public async Task<bool> TryCreateAsync(string batchId, byte[] json, string requestSha256, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(BlobName(batchId));
        var options = new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            Metadata = new Dictionary<string, string> { [RequestHashKey] = requestSha256 },
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
        };
        try
        {
            // A container deleted under the running app is created again: otherwise every batch would end in the poison queue.
            await resilience.WriteCreatingAsync(async ct => await blob.UploadAsync(new BinaryData(json), options, ct).ConfigureAwait(false),
                async ct => await _container.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }

    public async Task<StoredResult?> GetAsync(string batchId, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(BlobName(batchId));
        try
        {
            return await resilience.ExecuteAsync(async ct =>
            {
                var content = await blob.DownloadContentAsync(ct).ConfigureAwait(false);
                content.Value.Details.Metadata.TryGetValue(RequestHashKey, out var hash);
                return new StoredResult(content.Value.Content.ToArray(), hash);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }
}
