using System.Diagnostics;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Serialization;
using NeuralFP.Application.Telemetry;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Http;

namespace NeuralFP.Functions.Functions;

/// <summary>
/// One score request from the score-requests queue; the batch's summary is the queue output (score-results) and, when a
/// summaries topic is configured, a Service Bus message. A request that can never succeed as sent (the faults the HTTP API
/// answers with a 4xx) is rejected once: a <see cref="BatchRejection"/> takes the summary's place and the message is not
/// retried. Any other failure is thrown, so the host retries the message and, after host.json's maxDequeueCount, moves it
/// to the poison queue.
/// </summary>
public sealed class ScoreBatchFunction(ScoreBatchJob job, IBatchSummaryPublisher summaries, ServiceTelemetry telemetry, ILogger<ScoreBatchFunction> logger, TimeProvider time)
{
    [Function(FunctionNames.ScoreBatch)]
    [QueueOutput(FunctionNames.ScoreResultsQueue)]
    public async Task<string> RunAsync([QueueTrigger(FunctionNames.ScoreRequestsQueue)] string message, string id, long dequeueCount, CancellationToken cancellationToken)
    {
        ScoreRequest? request = null;
        try
        {
            request = ScoreRequest.Parse(message);
            TelemetryTags.Enrich(Activity.Current, request.ModelId, batchId: request.BatchId);
            using var scope = logger.BeginScope(TelemetryTags.Scope(request.ModelId, batchId: request.BatchId));
            var outcome = await job.RunAsync(request, cancellationToken).ConfigureAwait(false);
            TelemetryTags.Enrich(Activity.Current, request.ModelId, outcome.Summary.ModelVersion);
            await PublishAsync(() => summaries.PublishAsync(outcome.Summary, cancellationToken), request.BatchId).ConfigureAwait(false);
            return JsonSerializer.Serialize(outcome.Summary, JsonDefaults.Options);
        }
        catch (Exception e) when (IsPermanent(e) && ProblemMapper.ClientProblem(e) is { } problem)
        {
            var rejection = new BatchRejection(request?.BatchId, request?.ModelId, id,
                new RejectionProblem(problem.Type ?? "about:blank", problem.Title ?? "Rejected", problem.Status ?? 400, problem.Detail ?? e.Message), time.GetUtcNow());
            logger.LogError("Score request {MessageId} (batch {BatchId}, model {ModelId}) rejected, not retried: {Reason} The rejection is on the score-results queue.",
                id, rejection.BatchId, rejection.ModelId, rejection.Problem.Detail);
            telemetry.RecordBatchRejected(rejection.ModelId, rejection.Problem.Type);
            await PublishAsync(() => summaries.PublishAsync(rejection, cancellationToken), rejection.BatchId).ConfigureAwait(false);
            return JsonSerializer.Serialize(rejection, JsonDefaults.Options);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("ScoreBatch attempt {DequeueCount} failed: {Reason}", dequeueCount, e.Message);
            throw;
        }
    }

    /// <summary>
    /// A fault of the request itself. A model that is unknown, still waiting for its files or being fingerprinted is not
    /// one: a pipeline may send its first batches while the model's upload is still being registered, so a later delivery
    /// can succeed (after maxDequeueCount the message is poisoned with the reason). A model whose build failed is one: its
    /// files must be uploaded again.
    /// </summary>
    private static bool IsPermanent(Exception e) => e is not (ModelNotFoundException or ModelNotReadyException { Status: ModelStatus.Pending or ModelStatus.Fingerprinting });

    /// <summary>
    /// The topic refusing for good (no right to send, no such topic) does not undo the batch: its result is stored and the
    /// queue output still carries the summary, so the refusal is logged and the message completes.
    /// </summary>
    private async Task PublishAsync(Func<Task> publish, string? batchId)
    {
        try
        {
            await publish().ConfigureAwait(false);
        }
        catch (StorageRejectedException refused)
        {
            logger.LogError("Batch {BatchId}: its summary could not be announced on the summaries topic: {Reason} It is on the score-results queue.", batchId, refused.Message);
        }
    }
}
