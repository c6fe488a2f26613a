using System.Diagnostics;
using global::Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Telemetry;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.Functions;

/// <summary>
/// A blob under <c>models/{modelId}/</c> was created or replaced (an Event Grid event in Azure). The trigger binds a
/// <see cref="BlobClient"/>, never the bytes: the job reads all of the model's files itself, hashed, with size limits.
/// A failure is thrown so the host retries the event.
/// </summary>
public sealed class FingerprintModelFunction(FingerprintJob job, ILogger<FingerprintModelFunction> logger)
{
    [Function(FunctionNames.FingerprintModel)]
    public async Task RunAsync([BlobTrigger(FunctionNames.ModelsPath, Source = BlobTriggerSource.EventGrid)] BlobClient blob, CancellationToken cancellationToken)
    {
        if (!ModelFiles.TryParseBlobName(blob.Name, out var modelId, out var fileName) || !ModelFiles.IsKnown(fileName))
        {
            logger.LogInformation("Ignored {Container}/{Blob}: not one of {{modelId}}/{Model}, {Reference}, {Options}.", blob.BlobContainerName, blob.Name, ModelFiles.Model, ModelFiles.Reference, ModelFiles.Options);
            return;
        }
        if (!ModelIds.IsValid(modelId))
        {
            logger.LogWarning("Ignored {Blob}: {Reason}", blob.Name, new InvalidModelIdException(modelId).Message);
            return;
        }
        TelemetryTags.Enrich(Activity.Current, modelId);
        using var scope = logger.BeginScope(TelemetryTags.Scope(modelId));
        var outcome = await job.RunAsync(modelId, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("FingerprintModel {ModelId} ({File}): {Kind} — {Message}", modelId, fileName, outcome.Kind, outcome.Message);
    }
}
