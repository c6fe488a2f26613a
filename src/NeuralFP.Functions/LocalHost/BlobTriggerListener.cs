using System.Text;
using System.Text.Json;
using Azure;
using global::Azure.Storage.Blobs;
using global::Azure.Storage.Blobs.Models;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Configuration;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Functions.LocalHost;

/// <summary>
/// Emulates a blobTrigger: lists the container every poll interval, and invokes the function for every
/// blob whose ETag it has not yet processed (all blobs once at start-up, as the host does without
/// receipts). A failing blob is retried up to maxDequeueCount times, then reported on
/// <c>webjobs-blobtrigger-poison</c>, the host's poison queue for blob triggers.
/// </summary>
internal sealed class BlobTriggerListener(
    FunctionDefinition function,
    BlobPathPattern pattern,
    BlobServiceClient blobs,
    StorageClients clients,
    StorageResilience resilience,
    InvocationClient invoker,
    QueueSettings queues,
    LocalHostSettings settings,
    ILogger logger)
{
    public const string PoisonQueue = "webjobs-blobtrigger-poison";

    /// <summary>Blobs up to this size travel in the payload as the host sends them; larger ones are announced
    /// with empty data (the handler reads blobs with the SDK anyway), so a 1 GiB reference set does not
    /// become a 1.4 GiB JSON string in this process.</summary>
    public const long MaxPayloadContentBytes = 64L << 20;

    private readonly Dictionary<string, string> _processed = new(StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(pattern.Container);
        await resilience.ExecuteAsync(async ct => await container.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        logger.LogInformation("{Function}: watching blobs {Container}/{Prefix}… every {Interval}.", function.Name, pattern.Container, pattern.BlobPrefix, settings.PollInterval);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(container, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "{Function}: polling {Container} failed; trying again.", function.Name, pattern.Container);
            }
            await Task.Delay(settings.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PollOnceAsync(BlobContainerClient container, CancellationToken cancellationToken)
    {
        var changed = await resilience.ExecuteAsync(async ct =>
        {
            var items = new List<BlobItem>();
            await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, pattern.BlobPrefix, ct).ConfigureAwait(false))
            {
                if (pattern.Match(item.Name) is not null && (!_processed.TryGetValue(item.Name, out var etag) || etag != Normalized(item.Properties.ETag)))
                    items.Add(item);
            }
            return items;
        }, cancellationToken).ConfigureAwait(false);

        // Oldest change first, so "whichever file lands last" is also invoked last.
        foreach (var item in changed.OrderBy(i => i.Properties.LastModified))
            await ProcessAsync(container, item, cancellationToken).ConfigureAwait(false);
    }

    private async Task ProcessAsync(BlobContainerClient container, BlobItem item, CancellationToken cancellationToken)
    {
        var placeholders = pattern.Match(item.Name)!;
        var blob = container.GetBlobClient(item.Name);
        InvocationReply? reply = null;
        string etag = item.Properties.ETag?.ToString() ?? "";
        for (var attempt = 1; attempt <= queues.MaxDequeueCount; attempt++)
        {
            byte[] bytes;
            string? contentType;
            try
            {
                if (item.Properties.ContentLength > MaxPayloadContentBytes)
                {
                    var properties = await resilience.ExecuteAsync(async ct => (await blob.GetPropertiesAsync(cancellationToken: ct).ConfigureAwait(false)).Value, cancellationToken).ConfigureAwait(false);
                    (bytes, etag, contentType) = ([], properties.ETag.ToString(), properties.ContentType);
                }
                else
                {
                    var content = await resilience.ExecuteAsync(async ct => (await blob.DownloadContentAsync(ct).ConfigureAwait(false)).Value, cancellationToken).ConfigureAwait(false);
                    (bytes, etag, contentType) = (content.Content.ToArray(), content.Details.ETag.ToString(), content.Details.ContentType);
                }
            }
            catch (global::Azure.RequestFailedException e) when (e.Status == 404)
            {
                return; // Deleted since listing: nothing to trigger on.
            }
            var payload = InvocationPayloads.Blob(function.Name, function.Trigger.Name, pattern.Container, item.Name, blob.Uri, placeholders,
                bytes, item.Properties.ContentLength ?? bytes.LongLength, etag, contentType);
            reply = await invoker.InvokeAsync(function.Name, payload, cancellationToken).ConfigureAwait(false);
            foreach (var log in reply.Logs) logger.LogInformation("{Function} {Blob}: {Log}", function.Name, item.Name, log);
            if (reply.Succeeded)
            {
                _processed[item.Name] = Normalized(new ETag(etag));
                return;
            }
            logger.LogWarning("{Function} {Blob}: attempt {Attempt} of {Max} failed: {Reason}", function.Name, item.Name, attempt, queues.MaxDequeueCount, reply.Reason);
            await Task.Delay(Backoff.For(attempt, queues.VisibilityTimeout, settings.MaxBackoff), cancellationToken).ConfigureAwait(false);
        }

        _processed[item.Name] = Normalized(new ETag(etag));
        logger.LogError("{Function} {Blob}: gave up after {Max} attempts; reported on {Poison}. Reason: {Reason}", function.Name, item.Name, queues.MaxDequeueCount, PoisonQueue, reply?.Reason);
        var poison = clients.Queues.GetQueueClient(PoisonQueue);
        var message = JsonSerializer.Serialize(new { FunctionId = function.Name, BlobType = "BlockBlob", ContainerName = pattern.Container, BlobName = item.Name, ETag = etag });
        var body = queues.Base64 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(message)) : message;
        await resilience.ExecuteAsync(async ct => await poison.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await resilience.ExecuteAsync(async ct => await poison.SendMessageAsync(body, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    // Azurite lists ETags without quotes but returns them quoted in download headers; compare the bare value
    // so a processed blob is not triggered again on every poll.
    private static string Normalized(ETag? etag) => etag?.ToString().Trim('"') ?? "";
}
