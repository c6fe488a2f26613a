using System.Text.Json;
using NeuralFP.Infra.Tests.Support;

namespace NeuralFP.Infra.Tests.Storage;

/// <summary>The storage account accepts Entra ID only, over TLS 1.2+, with no anonymous blob access.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class StorageAccountSecurityTests(InfrastructureFixture infra)
{
    [Fact]
    public void SharedKeyAccessIsOff()
    {
        var account = infra.Initial.Single("Microsoft.Storage/storageAccounts");

        Assert.Equal(JsonValueKind.False, account.At("properties.allowSharedKeyAccess").ValueKind);
        Assert.Equal(JsonValueKind.True, account.At("properties.defaultToOAuthAuthentication").ValueKind);
    }

    [Fact]
    public void TransportIsHttpsWithTls12OrLater()
    {
        var account = infra.Initial.Single("Microsoft.Storage/storageAccounts");

        Assert.Equal("TLS1_2", account.String("properties.minimumTlsVersion"));
        Assert.Equal(JsonValueKind.True, account.At("properties.supportsHttpsTrafficOnly").ValueKind);
    }

    [Fact]
    public void NoContainerIsPublic()
    {
        var account = infra.Initial.Single("Microsoft.Storage/storageAccounts");
        var containers = infra.Initial.OfType("Microsoft.Storage/storageAccounts/blobServices/containers");

        Assert.Equal(JsonValueKind.False, account.At("properties.allowBlobPublicAccess").ValueKind);
        Assert.NotEmpty(containers);
        Assert.All(containers, c => Assert.Equal("None", c.String("properties.publicAccess")));
    }

    [Fact]
    public void AccountIsGeneralPurposeV2()
    {
        var account = infra.Initial.Single("Microsoft.Storage/storageAccounts");

        Assert.Equal("StorageV2", account.String("kind"));
        Assert.StartsWith("Standard_", account.String("sku.name"));
    }
}
