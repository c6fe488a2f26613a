using System.Text.Json;
using NeuralFP.Infra.Tests.Support;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Infra.Tests.Messaging;

/// <summary>Service Bus carries score requests (queue) and drift alarms (topic), with Entra ID only.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class ServiceBusTests(InfrastructureFixture infra)
{
    [Fact]
    public void NamespaceIsStandardWithLocalAuthOffAndTls12()
    {
        var ns = infra.Initial.Single("Microsoft.ServiceBus/namespaces");

        // Topics need Standard or above.
        Assert.Equal("Standard", ns.String("sku.name"));
        Assert.Equal(JsonValueKind.True, ns.At("properties.disableLocalAuth").ValueKind);
        Assert.Equal("1.2", ns.String("properties.minimumTlsVersion"));
    }

    [Fact]
    public void ScoreRequestsQueueDeadLettersAfterFiveDeliveries()
    {
        var requests = infra.Initial.AppSettings()[SettingNames.ScoreRequestsQueue];

        var queue = Assert.Single(infra.Initial.OfType("Microsoft.ServiceBus/namespaces/queues"));

        Assert.Equal(requests, queue.LeafName);
        Assert.Equal(5, queue.At("properties.maxDeliveryCount").GetInt32());
    }

    [Fact]
    public void AlertsTopicHasASubscriptionSoAlarmsAreKept()
    {
        var topic = Assert.Single(infra.Initial.OfType("Microsoft.ServiceBus/namespaces/topics"));
        var subscriptions = infra.Initial.OfType("Microsoft.ServiceBus/namespaces/topics/subscriptions");

        Assert.Equal("ood-alerts", topic.LeafName);
        Assert.Contains(subscriptions, s => s.Name.StartsWith(topic.Name + "/", StringComparison.Ordinal));
    }
}
