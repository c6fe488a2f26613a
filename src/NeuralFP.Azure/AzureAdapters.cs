using global::Azure.Core;
using global::Azure.Data.Tables;
using global::Azure.Identity;
using global::Azure.Messaging.ServiceBus;
using global::Azure.Storage.Blobs;
using global::Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeuralFP.Application.Ports;
using NeuralFP.Azure.Blobs;
using NeuralFP.Azure.Configuration;
using NeuralFP.Azure.Queues;
using NeuralFP.Azure.Resilience;
using NeuralFP.Azure.ServiceBus;
using NeuralFP.Azure.Tables;

namespace NeuralFP.Azure;

/// <summary>
/// Registers the storage adapters behind the application's ports. The host binds and validates the options they read:
/// <see cref="StorageAccount"/>, <see cref="StorageOptions"/>, <see cref="StorageResilienceOptions"/> and the application's
/// <see cref="Application.Configuration.ServiceOptions"/>.
/// </summary>
public static class AzureAdapters
{
    public static IServiceCollection AddStorageAdapters(this IServiceCollection services)
    {
        services.AddAzureClients(clients =>
        {
            clients.AddClient<BlobServiceClient, BlobClientOptions>((options, credential, provider) =>
            {
                var account = Account(provider);
                options.Retry.MaxRetries = 0;
                return account.ConnectionString is { } connection ? new BlobServiceClient(connection, options) : new BlobServiceClient(account.BlobServiceUri, credential, options);
            });
            clients.AddClient<QueueServiceClient, QueueClientOptions>((options, credential, provider) =>
            {
                var account = Account(provider);
                options.Retry.MaxRetries = 0;
                // The app encodes and decodes message bodies itself (base64, as host.json's messageEncoding says), as the Functions host does.
                options.MessageEncoding = QueueMessageEncoding.None;
                return account.ConnectionString is { } connection ? new QueueServiceClient(connection, options) : new QueueServiceClient(account.QueueServiceUri, credential, options);
            });
            clients.AddClient<TableServiceClient, TableClientOptions>((options, credential, provider) =>
            {
                var account = Account(provider);
                options.Retry.MaxRetries = 0;
                return account.ConnectionString is { } connection ? new TableServiceClient(connection, options) : new TableServiceClient(account.TableServiceUri, credential, options);
            });
            clients.UseCredential(provider => Credential(Account(provider)));
        });
        AddServiceBus(services);
        StorageResilience.AddTo(services);
        services.AddSingleton<StorageClients>();
        services.AddSingleton<IModelRegistry, TableModelRegistry>();
        services.AddSingleton<IDriftStore, TableDriftStore>();
        services.AddSingleton<IModelFileStore, BlobModelFileStore>();
        services.AddSingleton<IFingerprintStore, BlobFingerprintStore>();
        services.AddSingleton<IResultsStore, BlobResultsStore>();
        services.AddSingleton<IBatchRecordsSource, BlobBatchRecordsSource>();
        return services;
    }

    /// <summary>
    /// Drift alarms go to the alerts topic when one is configured (Azure), else to the alerts storage queue (locally);
    /// batch summaries also go to the summaries topic when one is configured. The clients come from Microsoft.Extensions.Azure
    /// with the namespace's managed identity.
    /// </summary>
    private static void AddServiceBus(IServiceCollection services)
    {
        services.AddAzureClients(clients =>
        {
            clients.AddClient<ServiceBusClient, ServiceBusClientOptions>((options, _, provider) =>
            {
                var topics = Topics(provider);
                return new ServiceBusClient(topics.FullyQualifiedNamespace, Credential(topics.UseManagedIdentity, topics.ManagedIdentityClientId), options);
            });
            clients.AddClient<ServiceBusSender, ServiceBusClientOptions>((_, _, provider) =>
                provider.GetRequiredService<ServiceBusClient>().CreateSender(Topics(provider).AlertsTopic)).WithName(AlertsSender);
            clients.AddClient<ServiceBusSender, ServiceBusClientOptions>((_, _, provider) =>
                provider.GetRequiredService<ServiceBusClient>().CreateSender(Topics(provider).SummariesTopic)).WithName(SummariesSender);
        });
        services.AddSingleton<QueueDriftAlertSender>();
        services.AddSingleton<IDriftAlertSender>(provider => Topics(provider) is { FullyQualifiedNamespace: not null, AlertsTopic: not null }
            ? new ServiceBusDriftAlertSender(provider.GetRequiredService<IAzureClientFactory<ServiceBusSender>>().CreateClient(AlertsSender))
            : provider.GetRequiredService<QueueDriftAlertSender>());
        services.AddSingleton<IBatchSummaryPublisher>(provider => Topics(provider) is { FullyQualifiedNamespace: not null, SummariesTopic: not null }
            ? new ServiceBusBatchSummaryPublisher(provider.GetRequiredService<IAzureClientFactory<ServiceBusSender>>().CreateClient(SummariesSender))
            : NoSummaryTopic.Instance);
    }

    private const string AlertsSender = "alerts";
    private const string SummariesSender = "summaries";

    private static ServiceBusTopics Topics(IServiceProvider provider) => provider.GetRequiredService<IOptions<ServiceBusTopics>>().Value;

    /// <summary>No summaries topic configured: the score-results queue is the only place summaries go.</summary>
    private sealed class NoSummaryTopic : IBatchSummaryPublisher
    {
        public static readonly NoSummaryTopic Instance = new();

        public Task PublishAsync(Application.Jobs.BatchSummary summary, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task PublishAsync(Application.Jobs.BatchRejection rejection, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>A managed identity in Azure (user-assigned when a client id is given); otherwise the developer's own login.</summary>
    public static TokenCredential Credential(StorageAccount account) => Credential(account.UseManagedIdentity, account.ManagedIdentityClientId);

    private static TokenCredential Credential(bool useManagedIdentity, string? clientId)
        => useManagedIdentity || clientId is not null
            ? new ManagedIdentityCredential(clientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();

    private static StorageAccount Account(IServiceProvider provider) => provider.GetRequiredService<IOptions<StorageAccount>>().Value;
}
