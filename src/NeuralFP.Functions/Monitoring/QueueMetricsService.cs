using Azure;
using global::Azure.Storage.Queues;
using NeuralFP.Functions.LocalHost;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Configuration;
using NeuralFP.Azure.Resilience;
using NeuralFP.Application.Telemetry;

namespace NeuralFP.Functions.Monitoring;

/// <summary>
/// Reads the depth of the service's queues and the age of each one's oldest message every interval, for the
/// queue gauges (<see cref="QueueGauges"/>): score requests, score results, alerts, and the poison queues of the
/// queue and blob triggers. With Service Bus carrying score requests, its queue's depth is in Service Bus's own metrics.
/// </summary>
internal sealed class QueueMetricsService(
    StorageClients clients,
    StorageResilience resilience,
    ServiceTelemetry telemetry,
    MonitoringOptions options,
    TimeProvider time,
    ILogger<QueueMetricsService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.QueueMetricsInterval <= TimeSpan.Zero) return;
        (QueueClient Queue, bool Poison)[] queues =
        [
            (clients.ScoreRequests, false),
            (clients.ScoreResults, false),
            (clients.Alerts, false),
            (clients.ScoreRequestsPoison, true),
            (clients.Queues.GetQueueClient(BlobTriggerListener.PoisonQueue), true),
        ];
        using var timer = new PeriodicTimer(options.QueueMetricsInterval, time);
        try
        {
            do
            {
                foreach (var (queue, poison) in queues)
                    await ReadAsync(queue, poison, stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ReadAsync(QueueClient queue, bool poison, CancellationToken cancellationToken)
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
        catch (RequestFailedException e) when (e.Status == 404)
        {
            telemetry.Queues.Report(queue.Name, 0, TimeSpan.Zero, poison); // not created yet: nothing waits in it
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug(e, "Reading queue {Queue} for the queue metrics failed; the gauges keep the last reading.", queue.Name);
        }
    }
}
