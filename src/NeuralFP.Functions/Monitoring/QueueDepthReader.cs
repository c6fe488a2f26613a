using NeuralFP.Application.Telemetry;
using NeuralFP.Azure.Configuration;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Functions.Monitoring;

/// <summary>
/// Reads the depth of the service's queues and the age of each one's oldest message for the queue gauges
/// (<see cref="QueueGauges"/>): score requests, score results, alerts, and the poison queues of the queue and blob triggers.
/// Run by the QueueGauges timer function, not by a background poller: the app scales to zero.
/// </summary>
public sealed class QueueDepthReader(StorageClients clients, StorageResilience resilience, ServiceTelemetry telemetry, TimeProvider time, ILogger<QueueDepthReader> logger)
{
    /// <summary>Where the Functions host puts blob-trigger invocations that failed every attempt.</summary>
    public const string BlobTriggerPoisonQueue = "webjobs-blobtrigger-poison";

    public async Task ReadAllAsync(CancellationToken cancellationToken)
    {
        (global::Azure.Storage.Queues.QueueClient Queue, bool Poison)[] queues =
        [
            (clients.ScoreRequests, false),
            (clients.ScoreResults, false),
            (clients.Alerts, false),
            (clients.ScoreRequestsPoison, true),
            (clients.Queues.GetQueueClient(BlobTriggerPoisonQueue), true),
        ];
        foreach (var (queue, poison) in queues)
            await ReadAsync(queue, poison, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadAsync(global::Azure.Storage.Queues.QueueClient queue, bool poison, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await resilience.ExecuteAsync(async ct => (await queue.GetPropertiesAsync(ct).ConfigureAwait(false)).Value, cancellationToken).ConfigureAwait(false);
            var depth = properties.ApproximateMessagesCount;
            var age = TimeSpan.Zero;
            if (depth > 0)
            {
                var oldest = await resilience.ExecuteAsync(async ct => (await queue.PeekMessagesAsync(1, ct).ConfigureAwait(false)).Value, cancellationToken).ConfigureAwait(false);
                if (oldest.Length > 0 && oldest[0].InsertedOn is { } inserted) age = time.GetUtcNow() - inserted;
            }
            telemetry.Queues.Report(queue.Name, depth, age, poison);
        }
        catch (global::Azure.RequestFailedException e) when (e.Status == 404)
        {
            telemetry.Queues.Report(queue.Name, 0, TimeSpan.Zero, poison); // not created yet: nothing waits in it
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Reading queue {Queue} for the queue gauges failed; the gauges keep the last reading.", queue.Name);
        }
    }
}
