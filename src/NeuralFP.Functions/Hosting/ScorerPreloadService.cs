using NeuralFP.Application.Scoring;

namespace NeuralFP.Functions.Hosting;

/// <summary>
/// Runs <see cref="ScorerPreload"/> once in the background when the worker starts: the start itself is not held up, and a
/// request that arrives meanwhile joins the load already under way (the cache loads each version once).
/// </summary>
internal sealed class ScorerPreloadService(ScorerPreload preload) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // off the host's start path
        try
        {
            await preload.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping before the preload ended: nothing to keep.
        }
    }
}
