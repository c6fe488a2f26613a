using NeuralFP.Application.Drift;

namespace NeuralFP.Functions.Monitoring;

/// <summary>Writes the buffered HTTP verdict outcomes to the drift windows every flush interval, and once more on shutdown.</summary>
internal sealed class DriftFlushService(DriftRecorder recorder, DriftTracker tracker, ILogger<DriftFlushService> logger) : BackgroundService
{
    private static readonly TimeSpan ShutdownFlushLimit = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!recorder.Buffered) return;
        using var timer = new PeriodicTimer(tracker.Options.FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                await recorder.FlushAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (!recorder.Buffered) return;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ShutdownFlushLimit);
        try
        {
            await recorder.FlushAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Shutting down before every buffered verdict outcome reached the drift table.");
        }
    }
}
