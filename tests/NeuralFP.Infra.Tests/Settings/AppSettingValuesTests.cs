using NeuralFP.Infra.Tests.Support;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Infra.Tests.Settings;

/// <summary>Connection settings point at the resources the templates create, through the user-assigned identity.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class AppSettingValuesTests(InfrastructureFixture infra)
{
    [Theory]
    [InlineData(SettingNames.StorageBlobServiceUri, "blob")]
    [InlineData(SettingNames.StorageQueueServiceUri, "queue")]
    [InlineData(SettingNames.StorageTableServiceUri, "table")]
    public void StorageServiceUrisAreTheAccountsEndpoints(string setting, string service)
    {
        var account = infra.Initial.Single("Microsoft.Storage/storageAccounts");

        var value = infra.Initial.AppSettings()[setting];

        Assert.Equal($"[reference('{account.Id}', '2024-01-01').primaryEndpoints.{service}]", value);
    }

    [Theory]
    [InlineData(SettingNames.StorageCredential)]
    [InlineData(SettingNames.ServiceBusCredential)]
    public void ConnectionsAuthenticateWithTheManagedIdentity(string setting)
    {
        Assert.Equal("managedidentity", infra.Initial.AppSettings()[setting]);
    }

    [Theory]
    [InlineData(SettingNames.StorageClientId)]
    [InlineData(SettingNames.ServiceBusClientId)]
    public void ClientIdIsTheUserAssignedIdentitys(string setting)
    {
        var identity = infra.Initial.Single("Microsoft.ManagedIdentity/userAssignedIdentities");

        Assert.Equal($"[reference('{identity.Id}', '2023-01-31').clientId]", infra.Initial.AppSettings()[setting]);
    }

    [Fact]
    public void ServiceBusNamespaceIsTheHostNameOfTheNamespaceCreated()
    {
        var serviceBus = infra.Initial.Single("Microsoft.ServiceBus/namespaces");

        var value = infra.Initial.AppSettings()[SettingNames.ServiceBusNamespace];

        // https://<name>.servicebus.windows.net:443/ reduced to the host name the SDK wants.
        Assert.Equal(
            $"[split(replace(reference('{serviceBus.Id}', '2024-01-01').serviceBusEndpoint, 'https://', ''), ':')[0]]",
            value);
    }

    [Fact]
    public void ApplicationInsightsConnectionStringIsTheComponentsOwn()
    {
        var component = infra.Initial.Single("Microsoft.Insights/components");

        Assert.Equal(
            $"[reference('{component.Id}', '2020-02-02').ConnectionString]",
            infra.Initial.AppSettings()[SettingNames.ApplicationInsights]);
    }

    [Theory]
    [InlineData(SettingNames.MaxRequestBytes)]
    [InlineData(SettingNames.MaxRecordsPerRequest)]
    public void RequestLimitsArePositiveIntegers(string setting)
    {
        var value = infra.Initial.AppSettings()[setting];

        Assert.True(long.TryParse(value, out var limit) && limit > 0, $"{setting} = '{value}'");
    }
}
