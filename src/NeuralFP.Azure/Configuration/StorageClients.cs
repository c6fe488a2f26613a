using global::Azure.Data.Tables;
using global::Azure.Storage.Blobs;
using global::Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Azure.Configuration;

/// <summary>
/// The service's blob containers, tables and queues, from the account's service clients (registered with
/// Microsoft.Extensions.Azure, see <see cref="AzureAdapters"/>). The SDKs' own retries are off: every call goes
/// through <see cref="StorageResilience"/> instead, so one policy decides how often a call is tried.
/// </summary>
public sealed class StorageClients
{
    public StorageClients(BlobServiceClient blobs, QueueServiceClient queues, TableServiceClient tables, IOptions<StorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var names = options.Value;
        names.Validate();
        Options = names;
        Blobs = blobs ?? throw new ArgumentNullException(nameof(blobs));
        Queues = queues ?? throw new ArgumentNullException(nameof(queues));
        Tables = tables ?? throw new ArgumentNullException(nameof(tables));
        Models = blobs.GetBlobContainerClient(names.ModelsContainer);
        Fingerprints = blobs.GetBlobContainerClient(names.FingerprintsContainer);
        Results = blobs.GetBlobContainerClient(names.ResultsContainer);
        Registry = tables.GetTableClient(names.RegistryTable);
        ScoreRequests = queues.GetQueueClient(names.ScoreRequestsQueue);
        ScoreRequestsPoison = queues.GetQueueClient(names.ScoreRequestsPoisonQueue);
        ScoreResults = queues.GetQueueClient(names.ScoreResultsQueue);
        Drift = tables.GetTableClient(names.DriftTable);
        Alerts = queues.GetQueueClient(names.AlertsQueue);
    }

    public StorageOptions Options { get; }
    public BlobServiceClient Blobs { get; }
    public QueueServiceClient Queues { get; }
    public TableServiceClient Tables { get; }
    public BlobContainerClient Models { get; }
    public BlobContainerClient Fingerprints { get; }
    public BlobContainerClient Results { get; }
    public TableClient Registry { get; }
    public QueueClient ScoreRequests { get; }
    public QueueClient ScoreRequestsPoison { get; }
    public QueueClient ScoreResults { get; }
    public TableClient Drift { get; }
    public QueueClient Alerts { get; }

    /// <summary>Creates the containers, tables and queues when missing (idempotent).</summary>
    public async Task EnsureCreatedAsync(StorageResilience resilience, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resilience);
        foreach (var container in new[] { Models, Fingerprints, Results })
            await resilience.ExecuteAsync(async ct => await container.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        foreach (var queue in new[] { ScoreRequests, ScoreRequestsPoison, ScoreResults, Alerts })
            await resilience.ExecuteAsync(async ct => await queue.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        foreach (var table in new[] { Registry, Drift })
            await resilience.ExecuteAsync(async ct => await table.CreateIfNotExistsAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }
}
