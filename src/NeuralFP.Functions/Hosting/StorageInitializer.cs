using NeuralFP.Azure.Configuration;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Functions.Hosting;

/// <summary>
/// Creates the containers, tables and queues once when the worker starts (idempotent), without holding up the start:
/// in Azure the deployment created them already (and the identity may not be allowed to create them), so this is for
/// local storage, and a failure is only logged.
/// </summary>
internal sealed class StorageInitializer(StorageClients clients, StorageResilience resilience, ILogger<StorageInitializer> logger) : IHostedService
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private readonly CancellationTokenSource _stop = new();
    private Task _creating = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _creating = CreateAsync();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _creating.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task CreateAsync()
    {
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            limit.CancelAfter(Limit);
            await clients.EnsureCreatedAsync(resilience, limit.Token).ConfigureAwait(false);
            logger.LogInformation("Storage ready: containers {Models}, {Fingerprints}, {Results}; tables {Table}, {DriftTable}; queues {Requests}, {Results2}, {Alerts}.",
                clients.Models.Name, clients.Fingerprints.Name, clients.Results.Name, clients.Registry.Name, clients.Drift.Name, clients.ScoreRequests.Name, clients.ScoreResults.Name, clients.Alerts.Name);
        }
        catch (Exception e) when (!_stop.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not create storage resources; assuming the deployment created them.");
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}
