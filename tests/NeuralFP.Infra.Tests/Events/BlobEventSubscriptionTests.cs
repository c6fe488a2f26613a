using NeuralFP.Infra.Tests.Support;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Infra.Tests.Events;

/// <summary>
/// Model uploads reach the blob trigger through Event Grid (the only blob trigger source Flex
/// Consumption supports): BlobCreated events under the models container go to the host's blob
/// extension webhook, once the code is deployed.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class BlobEventSubscriptionTests(InfrastructureFixture infra)
{
    [Fact]
    public void SystemTopicListensToTheStorageAccount()
    {
        var account = infra.WithBlobEvents.Single("Microsoft.Storage/storageAccounts");
        var topic = infra.WithBlobEvents.Single("Microsoft.EventGrid/systemTopics");

        Assert.Equal(account.Id, topic.String("properties.source"));
        Assert.Equal("Microsoft.Storage.StorageAccounts", topic.String("properties.topicType"));
    }

    [Fact]
    public void SubscriptionTakesOnlyBlobCreatedUnderTheModelsContainer()
    {
        var models = infra.WithBlobEvents.AppSettings()[SettingNames.ModelsContainer];
        var subscription = infra.WithBlobEvents.Single("Microsoft.EventGrid/systemTopics/eventSubscriptions");

        var types = subscription.At("properties.filter.includedEventTypes").EnumerateArray().Select(t => t.GetString());
        Assert.Equal(["Microsoft.Storage.BlobCreated"], types);
        Assert.Equal($"/blobServices/default/containers/{models}/", subscription.String("properties.filter.subjectBeginsWith"));
    }

    [Fact]
    public void SubscriptionDeliversToTheBlobExtensionWebhookOfTheTriggerFunction()
    {
        var site = infra.WithBlobEvents.Single("Microsoft.Web/sites");
        var subscription = infra.WithBlobEvents.Single("Microsoft.EventGrid/systemTopics/eventSubscriptions");
        var defaultFunction = infra.Template.Parameter("blobTriggerFunctionName").GetProperty("defaultValue").GetString();

        Assert.Equal("WebHook", subscription.String("properties.destination.endpointType"));
        var url = subscription.String("properties.destination.properties.endpointUrl");
        Assert.StartsWith("[format('https://{0}/runtime/webhooks/blobs?functionName=Host.Functions.{1}&code={2}'", url, StringComparison.Ordinal);
        Assert.Contains($"reference('{site.Id}', '2024-11-01').defaultHostName", url);
        Assert.Contains($"'{defaultFunction}'", url);
        Assert.Contains($"listKeys('{site.Id}/host/default', '2024-11-01').systemKeys.blobs_extension", url);
    }

    [Fact]
    public void UndeliverableEventsAreDeadLetteredToAContainerThatExists()
    {
        var identity = infra.WithBlobEvents.Single("Microsoft.ManagedIdentity/userAssignedIdentities");
        var account = infra.WithBlobEvents.Single("Microsoft.Storage/storageAccounts");
        var containers = infra.WithBlobEvents.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Select(c => c.LeafName);
        var subscription = infra.WithBlobEvents.Single("Microsoft.EventGrid/systemTopics/eventSubscriptions");

        Assert.Equal(account.Id, subscription.String("properties.deadLetterWithResourceIdentity.deadLetterDestination.properties.resourceId"));
        Assert.Contains(subscription.String("properties.deadLetterWithResourceIdentity.deadLetterDestination.properties.blobContainerName"), containers);
        Assert.Equal(identity.Id, subscription.String("properties.deadLetterWithResourceIdentity.identity.userAssignedIdentity"));
    }

    [Fact]
    public void FirstDeploymentLeavesEventsOffUntilTheCodeHasMadeTheWebhookKey()
    {
        Assert.Empty(infra.Initial.OfType("Microsoft.EventGrid/systemTopics"));
        Assert.Empty(infra.Initial.OfType("Microsoft.EventGrid/systemTopics/eventSubscriptions"));

        Assert.False(infra.Template.Parameter("subscribeBlobEvents").GetProperty("defaultValue").GetBoolean());
        Assert.Equal("[parameters('subscribeBlobEvents')]", infra.Template.Module("blobEvents").String("condition"));
    }

    [Fact]
    public void CompiledTemplateFiltersOnTheModelsContainerPath()
    {
        var subscription = Assert.Single(infra.Template.OfType("Microsoft.EventGrid/systemTopics/eventSubscriptions"));

        Assert.Equal(
            "[format('/blobServices/default/containers/{0}/', parameters('modelsContainerName'))]",
            subscription.String("properties.filter.subjectBeginsWith"));
        Assert.Equal("Microsoft.Storage.BlobCreated", Assert.Single(subscription.At("properties.filter.includedEventTypes").EnumerateArray()).GetString());
    }
}
