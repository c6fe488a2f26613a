using System.Diagnostics.Metrics;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralFP.Application.Configuration;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Telemetry;
using NeuralFP.Azure.Configuration;
using NeuralFP.Azure.Resilience;
using NeuralFP.Azure.Tables;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Drift;

/// <summary>
/// Drift writes that storage refuses for good, on a real Azurite of the test's own: the drift table deleted under the
/// running app, and an account key that is wrong (403 AuthorizationFailure, as after a key rotation the app did not get)
/// until it is fixed. A refusal is reported once, not retried every flush; what is held stays bounded, and what is given
/// up is counted; the writes resume by themselves once the cause is fixed.
/// </summary>
public sealed class DriftRefusedWriteTests : IAsyncLifetime
{
    private const double ExpectedRate = 0.05;
    private const string WrongKey = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLWtleQ==";

    private AzuriteServer _azurite = null!;
    private ServiceProvider _services = null!;
    private readonly CapturedLogs _logs = new();

    public async Task InitializeAsync()
    {
        _azurite = AzuriteServer.StartPrivate();
        _services = StorageServices.OnPrivateAzurite(_azurite, StorageNames.Setting(SettingNames.DriftWindowSize, "300"));
        var clients = _services.GetRequiredService<StorageClients>();
        await clients.Drift.CreateIfNotExistsAsync();
        await clients.Registry.CreateIfNotExistsAsync();
        await clients.Alerts.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _azurite.Dispose();
    }

    private StorageClients Clients => _services.GetRequiredService<StorageClients>();

    private IDriftStore Store => _services.GetRequiredService<IDriftStore>();

    private DriftRecorder NewInstance(IDriftStore store, TimeProvider time, int maxWriters = DriftRecorder.DefaultMaxWriters)
    {
        var publisher = new DriftAlarmPublisher(_services.GetRequiredService<IDriftAlertSender>(), _services.GetRequiredService<IModelRegistry>(), store);
        var loggers = LoggerFactory.Create(b => b.AddProvider(_logs));
        var tracker = new DriftTracker(store, publisher, _services.GetRequiredService<ServiceOptions>().Drift, new ServiceTelemetry(), loggers.CreateLogger<DriftTracker>(), time);
        return new DriftRecorder(tracker, loggers.CreateLogger<DriftRecorder>(), maxWriters);
    }

    /// <summary>The drift store as the app builds it, over a table client whose account key can be changed while it runs.</summary>
    private (CountingStore Store, TableSharedKeyCredential Key) StoreWithKey(string key)
    {
        var credential = new TableSharedKeyCredential(Clients.Tables.AccountName, key);
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        var tables = new TableServiceClient(Clients.Tables.Uri, credential, options);
        var clients = new StorageClients(Clients.Blobs, Clients.Queues, tables, _services.GetRequiredService<IOptions<StorageOptions>>());
        return (new CountingStore(new TableDriftStore(clients, _services.GetRequiredService<StorageResilience>())), credential);
    }

    private static string AccountKey(string connectionString)
        => connectionString.Split(';').Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];

    private static VerdictOutcomes Request(int i)
    {
        var outcomes = Enumerable.Range(0, 1 + i % 9).Select(r => (i + r) % 3 == 0).ToArray();
        return new VerdictOutcomes(outcomes, [outcomes.Length, outcomes.Count(o => o)]);
    }

    private static (long Records, long Ood) Sum(IEnumerable<VerdictOutcomes> requests)
        => (requests.Sum(r => (long)r.Outcomes.Length), requests.Sum(r => (long)r.OodCount));

    private async Task<(long Records, long Ood)> CountsAsync(string modelId)
    {
        var row = (await Store.GetAsync(modelId, CancellationToken.None))!;
        Assert.Equal((row.TotalRecords, row.TotalOod), (row.Hours.Sum(h => h.Records), row.Hours.Sum(h => h.Ood)));
        return (row.TotalRecords, row.TotalOod);
    }

    private int Errors => _logs.Entries.Count(e => e.Level >= LogLevel.Error);

    [Fact]
    public async Task A_drift_table_deleted_under_the_running_app_is_created_again_and_the_next_flush_lands()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var recorder = NewInstance(Store, clock);
        var requests = Enumerable.Range(0, 40).Select(Request).ToArray();
        foreach (var request in requests[..20]) await recorder.RecordAsync("deleted", 1, ExpectedRate, request, CancellationToken.None);
        Assert.True(await recorder.FlushAsync(CancellationToken.None));

        await Clients.Drift.DeleteAsync(); // an operator's mistake, or a clean-up script
        foreach (var request in requests[20..]) await recorder.RecordAsync("deleted", 1, ExpectedRate, request, CancellationToken.None);

        // The writer knew the row by its ETag; the table and row are gone: the store creates the table, the row starts again.
        Assert.True(await recorder.FlushAsync(CancellationToken.None));
        Assert.Equal(0, recorder.PendingRecords);
        Assert.Equal(Sum(requests[20..]), await CountsAsync("deleted"));
        Assert.Equal("ok", recorder.Health.Summary);
        Assert.Equal(0, Errors);
    }

    [Fact]
    public async Task Writes_refused_for_a_wrong_key_are_reported_once_probed_not_retried_and_land_once_the_key_is_fixed()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var (store, key) = StoreWithKey(WrongKey);
        var recorder = NewInstance(store, clock);
        var requests = Enumerable.Range(0, 60).Select(Request).ToArray();

        // A minute of flushes, one a second, while requests keep coming: one write is tried, then one probe per interval.
        for (var second = 0; second < 60; second++)
        {
            await recorder.RecordAsync("refused", 1, ExpectedRate, requests[second], CancellationToken.None);
            Assert.False(await recorder.FlushAsync(CancellationToken.None));
            clock.Now += TimeSpan.FromSeconds(1);
        }
        Assert.InRange(store.Calls, 2, 3); // at 0 s, 30 s (and 60 s): not 60 attempts
        Assert.Equal(1, Errors); // reported once, naming what to change
        Assert.True(_logs.Contains(LogLevel.Error, "(403", "drift table", "account key"), string.Join("\n", _logs.Entries.Select(e => e.Message)));
        Assert.Equal(403, recorder.Health.Failure?.Status);
        Assert.StartsWith("drift writes refused since", recorder.Health.Summary, StringComparison.Ordinal);
        Assert.Equal(Sum(requests).Records, recorder.PendingRecords); // kept, bounded by the writer's window and hourly counts
        Assert.Equal(0, recorder.Health.Dropped);

        key.SetAccountKey(AccountKey(_azurite.ConnectionString)); // the operator puts the right key in the settings
        clock.Now += DriftWriter.RefusedRetryInterval;
        Assert.True(await recorder.FlushAsync(CancellationToken.None));

        Assert.Equal(Sum(requests), await CountsAsync("refused"));
        Assert.Equal(0, recorder.PendingRecords);
        Assert.Equal("ok", recorder.Health.Summary);
        Assert.True(_logs.Contains(LogLevel.Information, "written again", "0 outcomes were dropped"));
        Assert.Equal(1, Errors);
    }

    [Fact]
    public async Task While_writes_are_refused_outcomes_beyond_the_writer_limit_are_dropped_counted_and_logged()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var (store, key) = StoreWithKey(WrongKey);
        var recorder = NewInstance(store, clock, maxWriters: 2);
        using var dropped = new DroppedCounter("capped-");
        var requests = Enumerable.Range(0, 30).Select(Request).ToArray();

        foreach (var (request, i) in requests.Select((r, i) => (r, i)))
        {
            await recorder.RecordAsync($"capped-{i % 3}", 1, ExpectedRate, request, CancellationToken.None);
            await recorder.FlushAsync(CancellationToken.None);
        }

        var third = requests.Where((_, i) => i % 3 == 2).ToArray();
        Assert.Equal(2, recorder.Writers);
        Assert.Equal(Sum(requests).Records - Sum(third).Records, recorder.PendingRecords);
        Assert.Equal(Sum(third).Records, recorder.Health.Dropped);
        Assert.Equal(Sum(third).Records, dropped.Total);
        Assert.Contains("outcomes dropped", recorder.Health.Summary, StringComparison.Ordinal);
        Assert.Single(_logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(DriftWriteHealth.WriterLimit, StringComparison.Ordinal));

        key.SetAccountKey(AccountKey(_azurite.ConnectionString));
        clock.Now += DriftWriter.RefusedRetryInterval;
        Assert.True(await recorder.FlushAsync(CancellationToken.None));
        Assert.Equal(Sum(requests.Where((_, i) => i % 3 == 0)), await CountsAsync("capped-0"));
        Assert.Equal(Sum(requests.Where((_, i) => i % 3 == 1)), await CountsAsync("capped-1"));
        Assert.True(_logs.Contains(LogLevel.Information, "written again", $"{Sum(third).Records} outcomes were dropped"));
    }

    [Fact]
    public async Task An_alarm_the_alerts_queue_refuses_is_reported_once_stays_owed_and_is_sent_once_the_key_is_fixed()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var key = new global::Azure.Storage.StorageSharedKeyCredential(Clients.Queues.AccountName, WrongKey);
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        options.Retry.MaxRetries = 0;
        var queues = new QueueServiceClient(Clients.Queues.Uri, key, options);
        var refusing = new StorageClients(Clients.Blobs, queues, Clients.Tables, _services.GetRequiredService<IOptions<StorageOptions>>());
        var sender = new CountingSender(new Azure.Queues.QueueDriftAlertSender(refusing, _services.GetRequiredService<StorageResilience>()));
        var loggers = LoggerFactory.Create(b => b.AddProvider(_logs));
        var publisher = new DriftAlarmPublisher(sender, _services.GetRequiredService<IModelRegistry>(), Store, loggers.CreateLogger<DriftAlarmPublisher>(), clock);
        var tracker = new DriftTracker(Store, publisher, _services.GetRequiredService<ServiceOptions>().Drift, time: clock);

        // Every verdict OOD: the first batch raises the alarm; ten more follow while the queue refuses.
        Assert.True((await tracker.RecordAsync(new DriftBatch("alarmed", 1, ExpectedRate, Enumerable.Repeat(true, 60).ToArray()), CancellationToken.None)).Raised);
        for (var i = 0; i < 10; i++)
        {
            clock.Now += TimeSpan.FromSeconds(1);
            await tracker.RecordAsync(new DriftBatch("alarmed", 1, ExpectedRate, [true, true]), CancellationToken.None);
        }

        Assert.Equal(1, sender.Calls); // tried once, then paused: not once per write
        Assert.Equal(1, Errors);
        Assert.True(_logs.Contains(LogLevel.Error, "drift alarm 1 cannot be published", "(403", "alerts queue", "account key"), string.Join("\n", _logs.Entries.Select(e => e.Message)));
        Assert.True((await Store.GetAsync("alarmed", CancellationToken.None))!.AlertPending); // still owed

        key.SetAccountKey(AccountKey(_azurite.ConnectionString));
        clock.Now += DriftAlarmPublisher.RefusedPause;
        await tracker.RecordAsync(new DriftBatch("alarmed", 1, ExpectedRate, [true]), CancellationToken.None);

        Assert.Equal(2, sender.Calls);
        Assert.False((await Store.GetAsync("alarmed", CancellationToken.None))!.AlertPending);
        Assert.Single((await Clients.Alerts.PeekMessagesAsync(10)).Value);
        Assert.True(_logs.Contains(LogLevel.Information, "published again"));
        Assert.Equal(1, Errors);
    }

    [Fact]
    public async Task Content_storage_refuses_as_too_large_is_dropped_counted_and_what_follows_is_written()
    {
        // Azurite does not reject a drift row as too large (Azure does, 400 EntityTooLarge): the refusal is injected at the
        // port, in the form the adapter raises it, around the real store.
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var store = new RefuseNextWriteStore(Store);
        var recorder = NewInstance(store, clock);
        using var dropped = new DroppedCounter("too-large");
        var requests = Enumerable.Range(0, 30).Select(Request).ToArray();
        foreach (var request in requests[..10]) await recorder.RecordAsync("too-large", 1, ExpectedRate, request, CancellationToken.None);

        Assert.False(await recorder.FlushAsync(CancellationToken.None));

        Assert.Equal(0, recorder.PendingRecords); // given up: sending it again could never succeed
        Assert.Equal(Sum(requests[..10]).Records, recorder.Health.Dropped);
        Assert.Equal(Sum(requests[..10]).Records, dropped.Total);
        Assert.True(_logs.Contains(LogLevel.Error, "(400 EntityTooLarge)"));
        Assert.True(_logs.Contains(LogLevel.Warning, "verdict outcomes dropped", DriftWriteHealth.RefusedContent));

        foreach (var request in requests[10..]) await recorder.RecordAsync("too-large", 1, ExpectedRate, request, CancellationToken.None);
        clock.Now += DriftWriter.RefusedRetryInterval;
        Assert.True(await recorder.FlushAsync(CancellationToken.None));
        Assert.Equal(Sum(requests[10..]), await CountsAsync("too-large"));
        Assert.Equal("ok", recorder.Health.Summary);
    }

    /// <summary>The real store, whose next write is refused as too large (fault injection at the port).</summary>
    private sealed class RefuseNextWriteStore(IDriftStore inner) : IDriftStore
    {
        private bool _refuse = true;

        public Task<DriftWindowRecord?> GetAsync(string modelId, CancellationToken cancellationToken) => inner.GetAsync(modelId, cancellationToken);

        public Task<DriftWindowRecord?> TryWriteAsync(DriftWindowRecord record, CancellationToken cancellationToken)
        {
            if (!_refuse) return inner.TryWriteAsync(record, cancellationToken);
            _refuse = false;
            throw new Application.Errors.StorageRejectedException("the drift table 'drift'", 400, "EntityTooLarge", "storage rejects what was sent as malformed or too large");
        }
    }

    /// <summary>The real sender, counting the sends tried through it.</summary>
    private sealed class CountingSender(IDriftAlertSender inner) : IDriftAlertSender
    {
        private int _calls;

        public int Calls => _calls;

        public string Destination => inner.Destination;

        public Task SendAsync(DriftAlert alert, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return inner.SendAsync(alert, cancellationToken);
        }
    }

    /// <summary>The real store, counting the storage calls made through it.</summary>
    private sealed class CountingStore(IDriftStore inner) : IDriftStore
    {
        private int _calls;

        public int Calls => _calls;

        public Task<DriftWindowRecord?> GetAsync(string modelId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return inner.GetAsync(modelId, cancellationToken);
        }

        public Task<DriftWindowRecord?> TryWriteAsync(DriftWindowRecord record, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return inner.TryWriteAsync(record, cancellationToken);
        }
    }

    /// <summary>Sums <c>neuralfp.drift.outcomes.dropped</c> for models whose id starts with a prefix (the meter is process-wide).</summary>
    private sealed class DroppedCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public DroppedCounter(string modelPrefix)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ServiceTelemetry.Name && instrument.Name == "neuralfp.drift.outcomes.dropped") listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                    if (tag.Key == TelemetryTags.ModelId && tag.Value is string id && id.StartsWith(modelPrefix, StringComparison.Ordinal)) Interlocked.Add(ref _total, value);
            });
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
