using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace NeuralFP.Storage.Configuration;

/// <summary>
/// The service's blob containers, registry table and queues, made from either a connection string
/// (<c>AzureWebJobsStorage</c>) or identity-based service URIs (<c>AzureWebJobsStorage__blobServiceUri</c> …).
/// The SDKs' own retries are off: every call goes through <see cref="Resilience.StorageResilience"/> instead,
/// so one policy decides how often a call is tried.
/// </summary>
public sealed class StorageClients
{
    public StorageClients(BlobServiceClient blobs, QueueServiceClient queues, TableServiceClient tables, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Blobs = blobs ?? throw new ArgumentNullException(nameof(blobs));
        Queues = queues ?? throw new ArgumentNullException(nameof(queues));
        Tables = tables ?? throw new ArgumentNullException(nameof(tables));
        Models = blobs.GetBlobContainerClient(options.ModelsContainer);
        Fingerprints = blobs.GetBlobContainerClient(options.FingerprintsContainer);
        Results = blobs.GetBlobContainerClient(options.ResultsContainer);
        Registry = tables.GetTableClient(options.RegistryTable);
        ScoreRequests = queues.GetQueueClient(options.ScoreRequestsQueue);
        ScoreRequestsPoison = queues.GetQueueClient(options.ScoreRequestsPoisonQueue);
        ScoreResults = queues.GetQueueClient(options.ScoreResultsQueue);
        Drift = tables.GetTableClient(options.DriftTable);
        Alerts = queues.GetQueueClient(options.AlertsQueue);
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

    /// <summary>Builds the clients from settings; throws a message naming the missing setting when neither form is configured.</summary>
    public static StorageClients FromConfiguration(IConfiguration configuration, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = SettingsReader.GetString(configuration, SettingNames.Storage);
        if (connectionString is not null)
            return FromConnectionString(connectionString, options);

        var blobUri = SettingsReader.GetString(configuration, SettingNames.StorageBlobServiceUri);
        var queueUri = SettingsReader.GetString(configuration, SettingNames.StorageQueueServiceUri);
        var tableUri = SettingsReader.GetString(configuration, SettingNames.StorageTableServiceUri);
        if (blobUri is null || queueUri is null || tableUri is null)
            throw new InvalidOperationException(
                $"Storage is not configured: set {SettingNames.Storage} to a connection string (locally UseDevelopmentStorage=true), " +
                $"or set {SettingNames.StorageBlobServiceUri}, {SettingNames.StorageQueueServiceUri} and {SettingNames.StorageTableServiceUri} for identity-based access.");

        var clientId = SettingsReader.GetString(configuration, SettingNames.StorageClientId);
        var useManagedIdentity = string.Equals(SettingsReader.GetString(configuration, SettingNames.StorageCredential), "managedidentity", StringComparison.OrdinalIgnoreCase);
        TokenCredential credential = useManagedIdentity || clientId is not null
            ? new ManagedIdentityCredential(clientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
        return new StorageClients(
            new BlobServiceClient(ParseUri(blobUri, SettingNames.StorageBlobServiceUri), credential, BlobOptions()),
            new QueueServiceClient(ParseUri(queueUri, SettingNames.StorageQueueServiceUri), credential, QueueOptions()),
            new TableServiceClient(ParseUri(tableUri, SettingNames.StorageTableServiceUri), credential, TableOptions()),
            options);
    }

    public static StorageClients FromConnectionString(string connectionString, StorageOptions options)
        => new(
            new BlobServiceClient(connectionString, BlobOptions()),
            new QueueServiceClient(connectionString, QueueOptions()),
            new TableServiceClient(connectionString, TableOptions()),
            options);

    /// <summary>Creates the containers, table and queues when missing (idempotent).</summary>
    public async Task EnsureCreatedAsync(Resilience.StorageResilience resilience, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resilience);
        foreach (var container in new[] { Models, Fingerprints, Results })
            await resilience.ExecuteAsync(async ct => await container.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        foreach (var queue in new[] { ScoreRequests, ScoreRequestsPoison, ScoreResults, Alerts })
            await resilience.ExecuteAsync(async ct => await queue.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        foreach (var table in new[] { Registry, Drift })
            await resilience.ExecuteAsync(async ct => await table.CreateIfNotExistsAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    private static Uri ParseUri(string value, string setting)
        => Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri : throw new InvalidOperationException($"Setting {setting} must be an absolute URI; got '{value}'.");

    private static BlobClientOptions BlobOptions()
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 0;
        return options;
    }

    private static QueueClientOptions QueueOptions()
    {
        // The app encodes and decodes message bodies itself (base64 unless host.json says none), as the Functions host does.
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        options.Retry.MaxRetries = 0;
        return options;
    }

    private static TableClientOptions TableOptions()
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        return options;
    }
}
