using System.Diagnostics;
using NeuralFP.Functions.Invocations;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Telemetry;

namespace NeuralFP.Functions.Handlers;

/// <summary>
/// <c>POST /ScoreBatch</c>: one score request from the queue. Success returns the summary as the
/// <c>summary</c> output (the host puts it on score-results); any failure is a 500 so the host retries
/// and, after maxDequeueCount attempts, moves the message to the poison queue.
/// </summary>
internal static class ScoreBatchHandler
{
    public static async Task<IResult> HandleAsync(HttpRequest request, ScoreBatchJob job, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(FunctionNames.ScoreBatch);
        using var invocation = await InvocationRequest.ReadAsync(request.Body, cancellationToken).ConfigureAwait(false);
        var message = invocation.GetDataString(FunctionNames.RequestBinding);
        if (message is null)
            return InvocationResults.Failed($"The invocation has no Data.{FunctionNames.RequestBinding} (the queue message).");
        var messageId = invocation.GetMetadataString("Id");
        var dequeueCount = invocation.GetMetadataString("DequeueCount");
        try
        {
            var scoreRequest = ScoreRequest.Parse(InvocationRequest.UnwrapMessage(message));
            TelemetryTags.Enrich(Activity.Current, scoreRequest.ModelId, batchId: scoreRequest.BatchId);
            using var scope = logger.BeginScope(TelemetryTags.Scope(scoreRequest.ModelId, batchId: scoreRequest.BatchId));
            var outcome = await job.RunAsync(scoreRequest, cancellationToken).ConfigureAwait(false);
            TelemetryTags.Enrich(Activity.Current, scoreRequest.ModelId, outcome.Summary.ModelVersion);
            var summary = InvocationResults.ToJson(outcome.Summary);
            var log = outcome.Reused
                ? $"Batch {outcome.Summary.BatchId} was already scored; returning its summary."
                : $"Batch {outcome.Summary.BatchId}: {outcome.Summary.Records} records, {outcome.Summary.OodRecords} OOD.";
            return InvocationResults.Succeeded(new Dictionary<string, object?> { [FunctionNames.SummaryBinding] = summary }, outcome.Summary, log);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("ScoreBatch message {MessageId} (dequeue {DequeueCount}) failed: {Reason}", messageId, dequeueCount, e.Message);
            return InvocationResults.Failed(e.Message);
        }
    }
}
