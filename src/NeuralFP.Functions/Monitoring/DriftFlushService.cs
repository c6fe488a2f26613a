using NeuralFP.Application.Drift;

namespace NeuralFP.Functions.Monitoring;

/// <summary>
/// Writes the HTTP verdicts' drift outcomes behind the requests: every <see cref="DriftAlarmOptions.FlushInterval"/> while the
/// instance runs (an instance only lives while it has work, so this is no poller that keeps a scaled-in app awake), and
/// when it stops (a scale-in, a deployment, SIGTERM or the host's WorkerTerminate): first as the host begins to stop, then
/// once every hosted service has stopped, so that what requests still in flight then recorded (the web server drains them
/// in its own stop) is written too; each waits at most <see cref="DriftAlarmOptions.ShutdownFlushTimeout"/>.
/// </summary>
internal sealed class DriftFlushService(DriftRecorder recorder, DriftAlarmOptions options, TimeProvider time, ILogger<DriftFlushService> logger)
    : BackgroundService, IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After the web server has drained its requests: their outcomes.</summary>
    public Task StoppedAsync(CancellationToken cancellationToken) => FinalFlushAsync(last: true, cancellationToken);

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
        await FinalFlushAsync(last: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task FinalFlushAsync(bool last, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(options.ShutdownFlushTimeout);
        try
        {
            if (await recorder.FlushAsync(bounded.Token).ConfigureAwait(false)) return;
        }
        catch (OperationCanceledException)
        {
        }
        var pending = recorder.PendingRecords;
        if (pending == 0) return;
        if (last)
        {
            logger.LogError("Stopped with {Count} verdict outcomes not written to the drift windows (storage did not answer or accept them within {Timeout}); they are lost.", pending, options.ShutdownFlushTimeout);
            recorder.Health.Drop(pending, DriftWriteHealth.Shutdown, "*", "the instance stopped before they were written.");
        }
        else
            logger.LogWarning("Stopping: {Count} verdict outcomes not written to the drift windows yet; trying once more when the server has stopped.", pending);
    }
}
