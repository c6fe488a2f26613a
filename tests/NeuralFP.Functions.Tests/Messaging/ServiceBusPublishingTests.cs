using System.Text.Json;
using global::Azure.Messaging.ServiceBus;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Application.Configuration;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Serialization;
using NeuralFP.Azure.Queues;
using NeuralFP.Azure.ServiceBus;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Messaging;

/// <summary>
/// Drift alarms and batch summaries through the Service Bus SDK. Service Bus cannot run here, so the one fake in the
/// test suite sits at the SDK's own boundary: a <see cref="ServiceBusSender"/> subclass that keeps what it is asked to
/// send (the SDK provides its protected constructor for this). What a subscriber would receive is built with the SDK's
/// <see cref="ServiceBusModelFactory"/>. Everything else (the drift table, the tracker, the publisher) is real, on Azurite.
/// </summary>
public sealed class ServiceBusPublishingTests : IAsyncLifetime
{
    private readonly StorageNames _names = StorageNames.Unique();
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _services = StorageServices.Create(StorageServices.Configuration(_names,
            StorageNames.Setting(SettingNames.DriftWindowSize, "100"), StorageNames.Setting(SettingNames.DriftMinimumRecords, "20")));
        await _services.GetRequiredService<Azure.Configuration.StorageClients>().EnsureCreatedAsync(
            _services.GetRequiredService<Azure.Resilience.StorageResilience>(), CancellationToken.None);
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task A_drift_alarm_is_one_topic_message_a_subscriber_can_read_and_deduplicate()
    {
        var sender = new RecordingSender("ood-alerts");
        var store = _services.GetRequiredService<IDriftStore>();
        var tracker = new DriftTracker(store, new DriftAlarmPublisher(new ServiceBusDriftAlertSender(sender), _services.GetRequiredService<IModelRegistry>(), store),
            _services.GetRequiredService<ServiceOptions>().Drift);

        // Every verdict OOD against an expected 5%: the alarm is raised once, and later batches do not send it again.
        var first = await tracker.RecordAsync(new DriftBatch("sb-model", 1, 0.05, Enumerable.Repeat(true, 30).ToArray()), CancellationToken.None);
        await tracker.RecordAsync(new DriftBatch("sb-model", 1, 0.05, Enumerable.Repeat(true, 10).ToArray()), CancellationToken.None);

        Assert.True(first.Raised);
        var sent = Assert.Single(sender.Sent);
        Assert.Equal(("sb-model/1", DriftAlert.DriftAlarmKind, "application/json"), (sent.MessageId, sent.Subject, sent.ContentType));
        Assert.Equal("sb-model", sent.ApplicationProperties["modelId"]);

        var received = ServiceBusModelFactory.ServiceBusReceivedMessage(body: sent.Body, messageId: sent.MessageId, subject: sent.Subject,
            contentType: sent.ContentType, properties: sent.ApplicationProperties, deliveryCount: 1);
        var alert = JsonSerializer.Deserialize<DriftAlert>(received.Body.ToString(), JsonDefaults.Options)!;
        Assert.Equal(("sb-model", 1, 1, 30, 30), (alert.ModelId, alert.ModelVersion, alert.AlarmId, alert.WindowCount, alert.OodCount));
        Assert.True(alert.PValue < alert.Alpha);

        var row = await store.GetAsync("sb-model", CancellationToken.None);
        Assert.False(row!.AlertPending); // sent, so nothing is owed
    }

    [Fact]
    public async Task A_failed_send_leaves_the_alarm_owed_and_the_next_update_sends_it()
    {
        var sender = new RecordingSender("ood-alerts") { FailNext = 1 };
        var store = _services.GetRequiredService<IDriftStore>();
        var tracker = new DriftTracker(store, new DriftAlarmPublisher(new ServiceBusDriftAlertSender(sender), _services.GetRequiredService<IModelRegistry>(), store),
            _services.GetRequiredService<ServiceOptions>().Drift);

        await tracker.RecordAsync(new DriftBatch("sb-retry", 1, 0.05, Enumerable.Repeat(true, 30).ToArray()), CancellationToken.None);
        Assert.Empty(sender.Sent);
        Assert.True((await store.GetAsync("sb-retry", CancellationToken.None))!.AlertPending);

        await tracker.RecordAsync(new DriftBatch("sb-retry", 1, 0.05, [true]), CancellationToken.None);
        Assert.Equal("sb-retry/1", Assert.Single(sender.Sent).MessageId);
        Assert.False((await store.GetAsync("sb-retry", CancellationToken.None))!.AlertPending);
    }

    [Fact]
    public async Task A_batch_summary_is_published_under_its_batch_id()
    {
        var sender = new RecordingSender("batch-summaries");
        var summary = new BatchSummary("b-42", "m", 3, 10, 2, 0.2, 0.5, new Dictionary<string, int> { ["fc1"] = 2 }, "results/b-42.json", "abc", DateTimeOffset.UnixEpoch);

        await new ServiceBusBatchSummaryPublisher(sender).PublishAsync(summary, CancellationToken.None);

        var sent = Assert.Single(sender.Sent);
        Assert.Equal(("b-42", ServiceBusBatchSummaryPublisher.Subject), (sent.MessageId, sent.Subject));
        var back = JsonSerializer.Deserialize<BatchSummary>(sent.Body.ToString(), JsonDefaults.Options)!;
        Assert.Equal((summary.BatchId, summary.Records, summary.OodRecords, 2), (back.BatchId, back.Records, back.OodRecords, back.LayerFired["fc1"]));
    }

    [Fact]
    public async Task Without_a_topic_alarms_go_to_the_alerts_queue_and_with_one_to_service_bus()
    {
        Assert.IsType<QueueDriftAlertSender>(_services.GetRequiredService<IDriftAlertSender>());

        await using var azure = StorageServices.Create(StorageServices.Configuration(_names,
            StorageNames.Setting(SettingNames.ServiceBusNamespace, "neuralfp-test.servicebus.windows.net"),
            StorageNames.Setting(SettingNames.ServiceBusCredential, "managedidentity"),
            StorageNames.Setting(SettingNames.AlertsTopic, "ood-alerts")));
        var sender = Assert.IsType<ServiceBusDriftAlertSender>(azure.GetRequiredService<IDriftAlertSender>());
        Assert.Equal("ood-alerts", sender.Destination);
    }

    [Fact]
    public void A_topic_without_a_namespace_is_refused_at_start_naming_the_setting()
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            StorageServices.Options<Azure.Configuration.ServiceBusTopics>(StorageServices.Configuration(_names, StorageNames.Setting(SettingNames.AlertsTopic, "ood-alerts"))));
        Assert.Contains(SettingNames.ServiceBusNamespace, error.Message, StringComparison.Ordinal);
    }

    /// <summary>The SDK boundary: keeps the messages instead of sending them over AMQP; can fail the next sends like a broker outage.</summary>
    private sealed class RecordingSender(string entityPath) : ServiceBusSender
    {
        private readonly List<ServiceBusMessage> _sent = [];

        public int FailNext { get; set; }

        public IReadOnlyList<ServiceBusMessage> Sent
        {
            get { lock (_sent) return [.. _sent]; }
        }

        public override string EntityPath => entityPath;

        public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
        {
            if (FailNext > 0)
            {
                FailNext--;
                throw new ServiceBusException("The namespace is unreachable.", ServiceBusFailureReason.ServiceCommunicationProblem);
            }
            lock (_sent) _sent.Add(message);
            return Task.CompletedTask;
        }
    }
}
