using System.Text.Json;
using global::Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
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

    [Theory]
    [InlineData(ServiceBusFailureReason.MessagingEntityNotFound, 404, "create it")]
    [InlineData(ServiceBusFailureReason.MessagingEntityDisabled, 403, "enable it")]
    [InlineData(ServiceBusFailureReason.QuotaExceeded, 403, "drain its subscriptions")]
    [InlineData(ServiceBusFailureReason.MessageSizeExceeded, 413, "dropped")]
    public async Task A_topic_refusing_for_good_is_a_rejection_that_names_what_to_change(ServiceBusFailureReason reason, int status, string remedy)
    {
        var sender = new RecordingSender("ood-alerts") { Refuse = () => new ServiceBusException(false, "refused", "ood-alerts", reason) };
        var alert = new DriftAlert(DriftAlert.DriftAlarmKind, "m", 1, 1, DateTimeOffset.UnixEpoch, 100, 30, 30, 1, 0.05, 1e-9, 0.01);

        var refused = await Assert.ThrowsAsync<Application.Errors.StorageRejectedException>(() => new ServiceBusDriftAlertSender(sender).SendAsync(alert, CancellationToken.None));

        Assert.Equal((status, reason.ToString()), (refused.Status, refused.Code));
        Assert.Contains("Service Bus topic 'ood-alerts'", refused.Message, StringComparison.Ordinal);
        Assert.Contains(remedy, refused.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_right_to_send_is_a_rejection_and_a_broker_outage_stays_transient()
    {
        var unauthorised = new RecordingSender("batch-summaries") { Refuse = () => new UnauthorizedAccessException("Unauthorized access. 'Send' claim(s) are required.") };
        var summary = new BatchSummary("b-1", "m", 1, 1, 0, 0, 0.1, new Dictionary<string, int>(), "results/b-1.json", "abc", DateTimeOffset.UnixEpoch);
        var refused = await Assert.ThrowsAsync<Application.Errors.StorageRejectedException>(() => new ServiceBusBatchSummaryPublisher(unauthorised).PublishAsync(summary, CancellationToken.None));
        Assert.Contains("Azure Service Bus Data Sender", refused.Remedy, StringComparison.Ordinal);

        var unreachable = new RecordingSender("batch-summaries") { FailNext = 1 };
        var transient = await Assert.ThrowsAsync<ServiceBusException>(() => new ServiceBusBatchSummaryPublisher(unreachable).PublishAsync(summary, CancellationToken.None));
        Assert.True(transient.IsTransient);
    }

    [Fact]
    public async Task A_refused_alarm_is_reported_once_stays_owed_and_sending_pauses()
    {
        var sender = new RecordingSender("ood-alerts") { Refuse = () => new ServiceBusException(false, "gone", "ood-alerts", ServiceBusFailureReason.MessagingEntityNotFound) };
        var logs = new CapturedLogs();
        using var loggers = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(logs));
        var store = _services.GetRequiredService<IDriftStore>();
        var tracker = new DriftTracker(store, new DriftAlarmPublisher(new ServiceBusDriftAlertSender(sender), _services.GetRequiredService<IModelRegistry>(), store,
            loggers.CreateLogger<DriftAlarmPublisher>()), _services.GetRequiredService<ServiceOptions>().Drift);

        await tracker.RecordAsync(new DriftBatch("sb-refused", 1, 0.05, Enumerable.Repeat(true, 30).ToArray()), CancellationToken.None);
        await tracker.RecordAsync(new DriftBatch("sb-refused", 1, 0.05, Enumerable.Repeat(true, 5).ToArray()), CancellationToken.None);

        Assert.Equal(1, sender.Attempts); // the second update falls in the pause
        Assert.True((await store.GetAsync("sb-refused", CancellationToken.None))!.AlertPending);
        var error = Assert.Single(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Contains("create it, or correct the topic setting", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_request_is_published_under_its_own_id_and_subject()
    {
        var sender = new RecordingSender("batch-summaries");
        var rejection = new BatchRejection("b-7", "m", "msg-1", new RejectionProblem("https://neuralfp.dev/problems/unknown-model", "Unknown model", 404, "Model 'm' is unknown."), DateTimeOffset.UnixEpoch);

        await new ServiceBusBatchSummaryPublisher(sender).PublishAsync(rejection, CancellationToken.None);

        var sent = Assert.Single(sender.Sent);
        Assert.Equal(("rejected/msg-1", ServiceBusBatchSummaryPublisher.RejectedSubject, "m"), (sent.MessageId, sent.Subject, sent.ApplicationProperties["modelId"]));
        var body = JsonDocument.Parse(sent.Body.ToString()).RootElement;
        Assert.Equal(("rejected", "b-7", 404), (body.GetProperty("status").GetString(), body.GetProperty("batchId").GetString(), body.GetProperty("problem").GetProperty("status").GetInt32()));
    }

    /// <summary>The SDK boundary: keeps the messages instead of sending them over AMQP; can fail the next sends like a broker
    /// outage, or refuse every send as a broker that answers and says no.</summary>
    internal sealed class RecordingSender(string entityPath) : ServiceBusSender
    {
        private readonly List<ServiceBusMessage> _sent = [];
        private int _attempts;

        public int FailNext { get; set; }

        /// <summary>When set, every send throws what it makes (after counting the attempt).</summary>
        public Func<Exception>? Refuse { get; init; }

        public int Attempts => Volatile.Read(ref _attempts);

        public IReadOnlyList<ServiceBusMessage> Sent
        {
            get { lock (_sent) return [.. _sent]; }
        }

        public override string EntityPath => entityPath;

        public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _attempts);
            if (Refuse is not null) throw Refuse();
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
