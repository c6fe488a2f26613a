using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Configuration;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Functions.Hosting;

/// <summary>
/// Creates containers, table and queues at start-up. Standalone the app owns its (emulated) account and
/// needs them before the local host polls; under the Functions host they normally exist already (Bicep),
/// so a failure is only logged there.
/// </summary>
internal sealed class StorageInitializer(StorageClients clients, StorageResilience resilience, AppMode mode, ILogger<StorageInitializer> logger)
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Ready => _ready.Task;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await clients.EnsureCreatedAsync(resilience, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Storage ready: containers {Models}, {Fingerprints}, {Results}; tables {Table}, {DriftTable}; queues {Requests}, {Results2}, {Alerts}.",
                clients.Models.Name, clients.Fingerprints.Name, clients.Results.Name, clients.Registry.Name, clients.Drift.Name, clients.ScoreRequests.Name, clients.ScoreResults.Name, clients.Alerts.Name);
            _ready.TrySetResult();
        }
        catch (Exception e) when (!mode.Standalone && e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not create storage resources; assuming the deployment created them.");
            _ready.TrySetResult();
        }
        catch (Exception e)
        {
            _ready.TrySetException(e);
            throw;
        }
    }
}
