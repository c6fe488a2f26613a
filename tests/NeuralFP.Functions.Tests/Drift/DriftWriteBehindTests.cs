using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NeuralFP.Application.Configuration;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Drift;

/// <summary>
/// Write-behind drift recording on a real Azurite of the test's own: two recorders (two app instances) writing one model
/// at once count every outcome; an outage during flushes loses nothing once storage is back; a flush whose write landed
/// but whose answer was lost is counted once; idle writers are dropped and their successors count on.
/// </summary>
public sealed class DriftWriteBehindTests : IAsyncLifetime
{
    private const double ExpectedRate = 0.05;
    private const int WindowSize = 300;

    private AzuriteServer _azurite = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _azurite = AzuriteServer.StartPrivate();
        _services = StorageServices.OnPrivateAzurite(_azurite, StorageNames.Setting(SettingNames.DriftWindowSize, WindowSize.ToString(System.Globalization.CultureInfo.InvariantCulture)));
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

    private IDriftStore Store => _services.GetRequiredService<IDriftStore>();

    /// <summary>A recorder as one app instance has it (its own tracker, the app's default flush interval), over <paramref name="store"/>.</summary>
    private DriftRecorder NewInstance(IDriftStore? store = null, TimeProvider? time = null)
    {
        store ??= Store;
        var publisher = new DriftAlarmPublisher(_services.GetRequiredService<IDriftAlertSender>(), _services.GetRequiredService<IModelRegistry>(), store);
        var tracker = new DriftTracker(store, publisher, _services.GetRequiredService<ServiceOptions>().Drift, time: time);
        var recorder = new DriftRecorder(tracker);
        Assert.True(recorder.Buffered); // the app's default: written behind the requests
        return recorder;
    }

    /// <summary>Request <paramref name="i"/>'s outcomes: 1 to 9 records, every third OOD, one fire per record on layer 0.</summary>
    private static VerdictOutcomes Request(int i)
    {
        var outcomes = Enumerable.Range(0, 1 + i % 9).Select(r => (i + r) % 3 == 0).ToArray();
        return new VerdictOutcomes(outcomes, [outcomes.Length, outcomes.Count(o => o)]);
    }

    private static (long Records, long Ood) Sum(IEnumerable<VerdictOutcomes> requests)
        => (requests.Sum(r => (long)r.Outcomes.Length), requests.Sum(r => (long)r.OodCount));

    private async Task<DriftWindowRecord> RowAsync(string modelId) => (await Store.GetAsync(modelId, CancellationToken.None))!;

    private static void AssertCounts(DriftWindowRecord row, (long Records, long Ood) expected)
    {
        Assert.Equal(expected, (row.TotalRecords, row.TotalOod));
        Assert.Equal(expected, (row.Hours.Sum(h => h.Records), row.Hours.Sum(h => h.Ood)));
        Assert.Equal([expected.Records, expected.Ood], row.Hours.Where(h => h.LayerFires is not null).Aggregate(new long[2], (a, h) => [a[0] + h.LayerFires![0], a[1] + h.LayerFires![1]]));
        Assert.Equal((int)Math.Min(WindowSize, expected.Records), row.Outcomes.Length);
        Assert.Equal(row.OodCount, row.Outcomes.Count(o => o));
    }

    [Fact]
    public async Task Two_instances_writing_one_model_at_once_count_every_outcome()
    {
        var instances = new[] { NewInstance(), NewInstance() };
        var requests = Enumerable.Range(0, 400).Select(Request).ToArray();
        using var stop = new CancellationTokenSource();
        // Each instance flushes on its own clock while requests keep arriving at both, so their conditional writes collide.
        var flushers = instances.Select(instance => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) await instance.FlushAsync(CancellationToken.None);
        })).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = worker; i < requests.Length; i += 8)
            {
                await instances[i % 2].RecordAsync("shared", 1, ExpectedRate, requests[i], CancellationToken.None);
                if (i % 16 == 0) await Task.Yield();
            }
        })));
        await stop.CancelAsync();
        await Task.WhenAll(flushers);
        foreach (var instance in instances) Assert.True(await instance.FlushAsync(CancellationToken.None));

        var row = await RowAsync("shared");
        AssertCounts(row, Sum(requests));
        Assert.Equal(2, row.Writers.Count); // both instances' marks: each flush of each is in the row once
        Assert.All(instances, i => Assert.Equal(0, i.PendingRecords));
    }

    [Fact]
    public async Task An_outage_during_flushes_loses_nothing_once_storage_is_back()
    {
        var recorder = NewInstance();
        var requests = Enumerable.Range(0, 60).Select(Request).ToArray();
        foreach (var request in requests[..20]) await recorder.RecordAsync("outage", 1, ExpectedRate, request, CancellationToken.None);
        Assert.True(await recorder.FlushAsync(CancellationToken.None));

        _azurite.Stop();
        try
        {
            foreach (var request in requests[20..40]) await recorder.RecordAsync("outage", 1, ExpectedRate, request, CancellationToken.None);
            Assert.False(await recorder.FlushAsync(CancellationToken.None)); // the write fails; the outcomes stay
            foreach (var request in requests[40..]) await recorder.RecordAsync("outage", 1, ExpectedRate, request, CancellationToken.None);
            Assert.False(await recorder.FlushAsync(CancellationToken.None));
            Assert.Equal(Sum(requests[20..]).Records, recorder.PendingRecords);
        }
        finally
        {
            _azurite.Start();
        }

        // Back: the failed flush is written as it was, then what came during the outage (the circuit breaker may hold a few seconds).
        await Eventually.UntilAsync(async () => await recorder.FlushAsync(CancellationToken.None) && recorder.PendingRecords == 0, "the pending outcomes to be written after the outage");
        AssertCounts(await RowAsync("outage"), Sum(requests));
    }

    [Fact]
    public async Task A_flush_whose_answer_was_lost_is_counted_once()
    {
        // The write lands but its answer does not come back (a timeout after the server applied it): the retry must not add it again.
        var store = new LostAnswerStore(Store);
        var recorder = NewInstance(store);
        var requests = Enumerable.Range(0, 30).Select(Request).ToArray();
        foreach (var request in requests[..10]) await recorder.RecordAsync("lost", 1, ExpectedRate, request, CancellationToken.None);
        Assert.True(await recorder.FlushAsync(CancellationToken.None));

        foreach (var request in requests[10..20]) await recorder.RecordAsync("lost", 1, ExpectedRate, request, CancellationToken.None);
        store.LoseNextAnswer = true;
        Assert.False(await recorder.FlushAsync(CancellationToken.None));
        Assert.Equal(Sum(requests[..20]).Records, (await RowAsync("lost")).TotalRecords); // it did land

        foreach (var request in requests[20..]) await recorder.RecordAsync("lost", 1, ExpectedRate, request, CancellationToken.None);
        Assert.True(await recorder.FlushAsync(CancellationToken.None));
        AssertCounts(await RowAsync("lost"), Sum(requests));
    }

    [Fact]
    public async Task Idle_writers_are_dropped_and_their_successors_count_on()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var recorder = NewInstance(time: clock);
        var requests = Enumerable.Range(0, 12).Select(Request).ToArray();
        foreach (var request in requests[..6]) await recorder.RecordAsync("idle", 1, ExpectedRate, request, CancellationToken.None);
        await recorder.RecordAsync("idle-other", 1, ExpectedRate, requests[0], CancellationToken.None);
        Assert.True(await recorder.FlushAsync(CancellationToken.None));
        Assert.Equal(2, recorder.Writers);

        clock.Now += DriftRecorder.IdleWriterLifetime + TimeSpan.FromSeconds(1);
        Assert.True(await recorder.FlushAsync(CancellationToken.None));
        Assert.Equal(0, recorder.Writers);

        foreach (var request in requests[6..]) await recorder.RecordAsync("idle", 1, ExpectedRate, request, CancellationToken.None);
        Assert.True(await recorder.FlushAsync(CancellationToken.None));
        Assert.Equal(Sum(requests), ((await RowAsync("idle")).TotalRecords, (await RowAsync("idle")).TotalOod));
    }

    [Fact]
    public async Task A_week_without_a_flush_keeps_a_bounded_buffer_and_counts_every_record()
    {
        // One request an hour for 200 hours and no flush (a storage outage longer than the row's week of buckets): what the
        // writer holds stays bounded (a window of outcomes, at most a week of hours), and the flush counts every record.
        var start = new DateTimeOffset(2026, 11, 1, 0, 30, 0, TimeSpan.Zero);
        var clock = new ManualClock(start);
        var recorder = NewInstance(time: clock);
        var requests = Enumerable.Range(0, 200).Select(Request).ToArray();
        for (var h = 0; h < requests.Length; h++)
        {
            clock.Now = start.AddHours(h);
            await recorder.RecordAsync("week", 1, ExpectedRate, requests[h], CancellationToken.None);
        }
        Assert.Equal(Sum(requests).Records, recorder.PendingRecords);

        Assert.True(await recorder.FlushAsync(CancellationToken.None));
        var row = await RowAsync("week");
        Assert.Equal(Sum(requests), (row.TotalRecords, row.TotalOod)); // every record in the totals
        Assert.Equal(WindowSize, row.Outcomes.Length); // the newest window's outcomes
        // Buckets: the hours the row keeps (the last 169), each with exactly its own request's records, at its own hour.
        Assert.Equal(DriftTrackerKeptHours, row.Hours.Count);
        for (var h = requests.Length - DriftTrackerKeptHours; h < requests.Length; h++)
        {
            var bucket = row.Hours.Single(b => b.Hour == DriftWindowRecord.HourOf(start.AddHours(h)));
            Assert.Equal((requests[h].Outcomes.Length, requests[h].OodCount), ((int)bucket.Records, (int)bucket.Ood));
        }
    }

    [Fact]
    public async Task Outcomes_of_requests_the_server_drains_while_stopping_are_written_too()
    {
        // A real generic host: the "server" (registered first, so stopped after the flush service's StopAsync, as the web
        // server is) finishes a request while stopping; the flush service's last flush, after every service has stopped, writes it.
        var recorder = NewInstance();
        var drained = Request(5);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddHostedService(_ => new DrainingServer(() => recorder.RecordAsync("drained", 1, ExpectedRate, drained, CancellationToken.None)));
        builder.Services.AddSingleton(recorder);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(_services.GetRequiredService<ServiceOptions>().Drift);
        builder.Services.AddHostedService<Monitoring.DriftFlushService>();
        using var host = builder.Build();
        await host.StartAsync();
        var before = Request(1);
        await recorder.RecordAsync("drained", 1, ExpectedRate, before, CancellationToken.None);

        await host.StopAsync();

        Assert.Equal(Sum([before, drained]), ((await RowAsync("drained")).TotalRecords, (await RowAsync("drained")).TotalOod));
        Assert.Equal(0, recorder.PendingRecords);
    }

    /// <summary>Stands in for the web server: a request finishes (records its outcomes) while the host stops.</summary>
    private sealed class DrainingServer(Func<Task> finishRequest) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => finishRequest();
    }

    /// <summary>Hourly buckets a drift row keeps: a week plus the hour in progress.</summary>
    private const int DriftTrackerKeptHours = 7 * 24 + 1;

    /// <summary>The real store, whose next successful write's answer is replaced by a timeout (fault injection at the port).</summary>
    private sealed class LostAnswerStore(IDriftStore inner) : IDriftStore
    {
        public bool LoseNextAnswer { get; set; }

        public Task<DriftWindowRecord?> GetAsync(string modelId, CancellationToken cancellationToken) => inner.GetAsync(modelId, cancellationToken);

        public async Task<DriftWindowRecord?> TryWriteAsync(DriftWindowRecord record, CancellationToken cancellationToken)
        {
            var written = await inner.TryWriteAsync(record, cancellationToken);
            if (written is null || !LoseNextAnswer) return written;
            LoseNextAnswer = false;
            throw new TimeoutException("The answer to the write was lost.");
        }
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
