using System.Diagnostics;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Serialization;
using NeuralFP.Application.Telemetry;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.Functions;

/// <summary>
/// One score request from the score-requests queue; the batch's summary is the queue output (score-results) and, when a
/// summaries topic is configured, a Service Bus message. A failure is
/// thrown so the host retries the message and, after host.json's maxDequeueCount, moves it to the poison queue.
/// </summary>
public sealed class ScoreBatchFunction(ScoreBatchJob job, IBatchSummaryPublisher summaries, ILogger<ScoreBatchFunction> logger)
{
    [Function(FunctionNames.ScoreBatch)]
    [QueueOutput(FunctionNames.ScoreResultsQueue)]
    public async Task<string> RunAsync([QueueTrigger(FunctionNames.ScoreRequestsQueue)] string message, long dequeueCount, CancellationToken cancellationToken)
    {
        try
        {
            var request = ScoreRequest.Parse(message);
            TelemetryTags.Enrich(Activity.Current, request.ModelId, batchId: request.BatchId);
            using var scope = logger.BeginScope(TelemetryTags.Scope(request.ModelId, batchId: request.BatchId));
            var outcome = await job.RunAsync(request, cancellationToken).ConfigureAwait(false);
            TelemetryTags.Enrich(Activity.Current, request.ModelId, outcome.Summary.ModelVersion);
            await summaries.PublishAsync(outcome.Summary, cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Serialize(outcome.Summary, JsonDefaults.Options);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("ScoreBatch attempt {DequeueCount} failed: {Reason}", dequeueCount, e.Message);
            throw;
        }
    }
}
