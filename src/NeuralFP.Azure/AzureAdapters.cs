using global::Azure.Core;
using global::Azure.Data.Tables;
using global::Azure.Identity;
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
        StorageResilience.AddTo(services);
        services.AddSingleton<StorageClients>();
        services.AddSingleton<IModelRegistry, TableModelRegistry>();
        services.AddSingleton<IDriftStore, TableDriftStore>();
        services.AddSingleton<IModelFileStore, BlobModelFileStore>();
        services.AddSingleton<IFingerprintStore, BlobFingerprintStore>();
        services.AddSingleton<IResultsStore, BlobResultsStore>();
        services.AddSingleton<IBatchRecordsSource, BlobBatchRecordsSource>();
        services.AddSingleton<IDriftAlertSender, QueueDriftAlertSender>();
        return services;
    }

    /// <summary>A managed identity in Azure (user-assigned when a client id is given); otherwise the developer's own login.</summary>
    public static TokenCredential Credential(StorageAccount account)
        => account.UseManagedIdentity || account.ManagedIdentityClientId is not null
            ? new ManagedIdentityCredential(account.ManagedIdentityClientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(account.ManagedIdentityClientId))
            : new DefaultAzureCredential();

    private static StorageAccount Account(IServiceProvider provider) => provider.GetRequiredService<IOptions<StorageAccount>>().Value;
}
