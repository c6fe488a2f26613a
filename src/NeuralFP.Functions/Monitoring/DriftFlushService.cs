using NeuralFP.Application.Drift;

namespace NeuralFP.Functions.Monitoring;

/// <summary>
/// Writes the HTTP verdicts' drift outcomes behind the requests: every <see cref="DriftAlarmOptions.FlushInterval"/> while the
/// instance runs (an instance only lives while it has work, so this is no poller that keeps a scaled-in app awake), and
/// once more when it stops (a scale-in, a deployment, SIGTERM or the host's WorkerTerminate), waiting at most
/// <see cref="DriftAlarmOptions.ShutdownFlushTimeout"/>.
/// </summary>
internal sealed class DriftFlushService(DriftRecorder recorder, DriftAlarmOptions options, TimeProvider time, ILogger<DriftFlushService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!recorder.Buffered) return; // written during each request
        using var timer = new PeriodicTimer(options.FlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                await recorder.FlushAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync writes what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(options.ShutdownFlushTimeout);
        try
        {
            if (await recorder.FlushAsync(bounded.Token).ConfigureAwait(false)) return;
        }
        catch (OperationCanceledException)
        {
        }
        var lost = recorder.PendingRecords;
        if (lost > 0)
            logger.LogError("Stopping with {Count} verdict outcomes not written to the drift windows (storage did not answer within {Timeout}).", lost, options.ShutdownFlushTimeout);
    }
}
