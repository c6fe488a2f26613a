using NeuralFP.Azure.Configuration;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Functions.Hosting;

/// <summary>
/// Creates the containers, tables and queues when the worker starts (idempotent). In Azure the deployment created
/// them already and the identity may not be allowed to create them, so a failure is only logged.
/// </summary>
internal sealed class StorageInitializer(StorageClients clients, StorageResilience resilience, ILogger<StorageInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await clients.EnsureCreatedAsync(resilience, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Storage ready: containers {Models}, {Fingerprints}, {Results}; tables {Table}, {DriftTable}; queues {Requests}, {Results2}, {Alerts}.",
                clients.Models.Name, clients.Fingerprints.Name, clients.Results.Name, clients.Registry.Name, clients.Drift.Name, clients.ScoreRequests.Name, clients.ScoreResults.Name, clients.Alerts.Name);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not create storage resources; assuming the deployment created them.");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
