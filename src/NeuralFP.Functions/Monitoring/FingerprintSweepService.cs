using NeuralFP.Application.Configuration;
using NeuralFP.Application.Jobs;

namespace NeuralFP.Functions.Monitoring;

/// <summary>
/// Runs the <see cref="FingerprintSweep"/> at start and every <see cref="ServiceOptions.FingerprintSweepInterval"/>, so a build
/// cut off by a crash or an outage finishes (or ends failed) without a new upload or a manual step.
/// </summary>
internal sealed class FingerprintSweepService(FingerprintSweep sweep, ServiceOptions options, ILogger<FingerprintSweepService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.FingerprintSweepInterval);
        try
        {
            do
            {
                try
                {
                    await sweep.RunAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Storage is probably down; the next tick tries again.
                    logger.LogWarning("Fingerprint sweep could not run: {Error}", e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
