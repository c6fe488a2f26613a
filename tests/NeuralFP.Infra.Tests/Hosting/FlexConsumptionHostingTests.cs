using System.Text.Json;
using NeuralFP.Infra.Tests.Support;

namespace NeuralFP.Infra.Tests.Hosting;

/// <summary>The app runs on a Linux Flex Consumption plan on the .NET isolated worker (dotnet-isolated 10.0), deployed from a blob container with the app's identity.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class FlexConsumptionHostingTests(InfrastructureFixture infra)
{
    [Fact]
    public void PlanIsFlexConsumptionFc1OnLinux()
    {
        var plan = infra.Initial.Single("Microsoft.Web/serverfarms");

        Assert.Equal("FC1", plan.String("sku.name"));
        Assert.Equal("FlexConsumption", plan.String("sku.tier"));
        Assert.True(plan.At("properties.reserved").GetBoolean(), "Linux plans are 'reserved'.");
    }

    [Fact]
    public void AppIsALinuxFunctionAppOnThatPlanWithTheDotnetIsolatedRuntime()
    {
        var plan = infra.Initial.Single("Microsoft.Web/serverfarms");
        var site = infra.Initial.Single("Microsoft.Web/sites");

        Assert.Equal("functionapp,linux", site.String("kind"));
        Assert.Equal(plan.Id, site.String("properties.serverFarmId"));
        Assert.Equal(("dotnet-isolated", "10.0"), (site.String("properties.functionAppConfig.runtime.name"), site.String("properties.functionAppConfig.runtime.version")));
        Assert.True(site.At("properties.httpsOnly").GetBoolean());
        Assert.Equal("1.2", site.String("properties.siteConfig.minTlsVersion"));
    }

    [Fact]
    public void AppRunsAsTheUserAssignedIdentityOnly()
    {
        var identity = infra.Initial.Single("Microsoft.ManagedIdentity/userAssignedIdentities");
        var site = infra.Initial.Single("Microsoft.Web/sites");

        Assert.Equal("UserAssigned", site.String("identity.type"));
        var assigned = site.At("identity.userAssignedIdentities").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal([identity.Id], assigned);
    }

    [Fact]
    public void PackageIsDeployedFromAnExistingContainerWithTheIdentity()
    {
        var identity = infra.Initial.Single("Microsoft.ManagedIdentity/userAssignedIdentities");
        var account = infra.Initial.Single("Microsoft.Storage/storageAccounts");
        var site = infra.Initial.Single("Microsoft.Web/sites");
        var containers = infra.Initial.OfType("Microsoft.Storage/storageAccounts/blobServices/containers")
            .Select(c => c.LeafName).ToList();

        Assert.Equal("blobContainer", site.String("properties.functionAppConfig.deployment.storage.type"));
        var location = site.String("properties.functionAppConfig.deployment.storage.value");
        // The blob endpoint is known only in Azure: the value is the account's endpoint plus a container it creates.
        Assert.Contains($"reference('{account.Id}'", location);
        Assert.Contains(".primaryEndpoints.blob", location);
        Assert.Contains(containers, c => location.EndsWith($"'{c}')]", StringComparison.Ordinal));
        Assert.Equal("UserAssignedIdentity", site.String("properties.functionAppConfig.deployment.storage.authentication.type"));
        Assert.Equal(identity.Id, site.String("properties.functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId"));
    }

    [Fact]
    public void InstanceMemoryAndMaximumInstanceCountComeFromParameters()
    {
        var initial = infra.Initial.Single("Microsoft.Web/sites");
        var scaled = infra.WithBlobEvents.Single("Microsoft.Web/sites");

        Assert.Equal(2048, initial.At("properties.functionAppConfig.scaleAndConcurrency.instanceMemoryMB").GetInt32());
        Assert.Equal(InfrastructureFixture.ScaledInstanceMemoryMB, scaled.At("properties.functionAppConfig.scaleAndConcurrency.instanceMemoryMB").GetInt32());
        Assert.Equal(InfrastructureFixture.ScaledMaximumInstanceCount, scaled.At("properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount").GetInt32());

        var memory = infra.Template.Parameter("instanceMemoryMB");
        Assert.Equal([512, 2048, 4096], memory.GetProperty("allowedValues").EnumerateArray().Select(v => v.GetInt32()));
        var instances = infra.Template.Parameter("maximumInstanceCount");
        Assert.Equal(1, instances.GetProperty("minValue").GetInt32());
        Assert.Equal(1000, instances.GetProperty("maxValue").GetInt32());
    }

    [Fact]
    public void AlwaysReadyHttpInstancesAreOffByDefaultAndPreloadTheNamedModelsWhenAsked()
    {
        var initial = infra.Initial.Single("Microsoft.Web/sites");
        var scaled = infra.WithBlobEvents.Single("Microsoft.Web/sites");

        Assert.Equal(0, initial.At("properties.functionAppConfig.scaleAndConcurrency.alwaysReady").GetArrayLength());
        Assert.Equal("", infra.Initial.AppSettings()[NeuralFP.Functions.Hosting.SettingNames.PreloadModels]);
        var group = Assert.Single(scaled.At("properties.functionAppConfig.scaleAndConcurrency.alwaysReady").EnumerateArray());
        Assert.Equal(("http", InfrastructureFixture.ScaledAlwaysReadyHttpInstances), (group.GetProperty("name").GetString(), group.GetProperty("instanceCount").GetInt32()));
        Assert.Equal(InfrastructureFixture.PreloadedModels, infra.WithBlobEvents.AppSettings()[NeuralFP.Functions.Hosting.SettingNames.PreloadModels]);
        Assert.Equal(0, infra.Template.Parameter("alwaysReadyHttpInstances").GetProperty("minValue").GetInt32());
    }

    [Fact]
    public void BasicAuthPublishingIsOff()
    {
        var policies = infra.Initial.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies");

        Assert.Equal(["ftp", "scm"], policies.Select(p => p.LeafName).Order());
        Assert.All(policies, p => Assert.Equal(JsonValueKind.False, p.At("properties.allow").ValueKind));
    }
}
