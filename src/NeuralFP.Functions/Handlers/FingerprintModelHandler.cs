using System.Diagnostics;
using NeuralFP.Functions.Invocations;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Telemetry;

namespace NeuralFP.Functions.Handlers;

/// <summary>
/// <c>POST /FingerprintModel</c>: a blob under <c>models/{modelId}/</c> changed. The blob's bytes in the payload
/// are ignored (the job reads all of the model's files itself, hashed, with size limits).
/// </summary>
internal static class FingerprintModelHandler
{
    public static async Task<IResult> HandleAsync(HttpRequest request, FingerprintJob job, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(FunctionNames.FingerprintModel);
        using var invocation = await InvocationRequest.ReadAsync(request.Body, cancellationToken).ConfigureAwait(false);
        var (modelId, fileName) = Locate(invocation);
        if (modelId is null || fileName is null)
            return InvocationResults.Failed("The invocation names no blob: expected Metadata.modelId and Metadata.name (or Metadata.BlobTrigger).");
        if (!ModelFiles.IsKnown(fileName))
            return InvocationResults.Succeeded(new Dictionary<string, object?>(), null, $"Ignored models/{modelId}/{fileName}: not one of {ModelFiles.Model}, {ModelFiles.Reference}, {ModelFiles.Options}.");
        if (!ModelIds.IsValid(modelId))
            return InvocationResults.Succeeded(new Dictionary<string, object?>(), null, new InvalidModelIdException(modelId).Message);
        TelemetryTags.Enrich(Activity.Current, modelId);
        using var scope = logger.BeginScope(TelemetryTags.Scope(modelId));
        try
        {
            var outcome = await job.RunAsync(modelId, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("FingerprintModel {ModelId} ({File}): {Kind} — {Message}", modelId, fileName, outcome.Kind, outcome.Message);
            return InvocationResults.Succeeded(new Dictionary<string, object?>(), outcome, $"{outcome.Kind}: {outcome.Message}");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(e, "FingerprintModel {ModelId} ({File}) failed; the host will retry.", modelId, fileName);
            return InvocationResults.Failed($"Fingerprinting {modelId} failed: {e.Message}");
        }
    }

    /// <summary>Model id and file name from the path placeholders, else from the blob path (<c>BlobTrigger</c>, or the blob URI).</summary>
    internal static (string? ModelId, string? FileName) Locate(InvocationRequest invocation)
    {
        var modelId = invocation.GetMetadataString(FunctionNames.ModelIdPlaceholder);
        var fileName = invocation.GetMetadataString(FunctionNames.FileNamePlaceholder);
        if (modelId is not null && fileName is not null) return (modelId, fileName);
        var path = invocation.GetMetadataString("BlobTrigger");
        if (path is null && Uri.TryCreate(invocation.GetMetadataString("Uri"), UriKind.Absolute, out var uri))
            path = Uri.UnescapeDataString(uri.AbsolutePath).TrimStart('/');
        if (path is null) return (null, null);
        var parts = path.Split('/');
        return parts.Length >= 3 ? (parts[^2], parts[^1]) : (null, null);
    }
}
