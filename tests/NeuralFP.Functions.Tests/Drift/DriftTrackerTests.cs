using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Hosting;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Configuration;
using NeuralFP.Application.Ports;
using NeuralFP.Azure.Tables;

namespace NeuralFP.Functions.Tests.Drift;

/// <summary>
/// The drift table on the real Azurite, without a model: many writers at once lose nothing, a redelivered batch id is
/// counted once, a newer fingerprint version starts a new window, and buffered outcomes arrive when flushed.
/// </summary>
public sealed class DriftTrackerTests : IAsyncLifetime
{
    private const double ExpectedRate = 0.05;

    private readonly StorageNames _names = StorageNames.Unique();
    private ServiceProvider _services = null!;
    private StorageClients _clients = null!;
    private DriftTracker _tracker = null!;

    public async Task InitializeAsync()
    {
        _services = StorageServices.Create(StorageServices.Configuration(_names,
            StorageNames.Setting(SettingNames.DriftWindowSize, "1000")));
        _clients = _services.GetRequiredService<StorageClients>();
        await _clients.Drift.CreateIfNotExistsAsync();
        await _clients.Registry.CreateIfNotExistsAsync();
        await _clients.Alerts.CreateIfNotExistsAsync();
        var store = _services.GetRequiredService<IDriftStore>();
        var publisher = new DriftAlarmPublisher(_services.GetRequiredService<IDriftAlertSender>(), _services.GetRequiredService<IModelRegistry>(), store);
        // A long flush interval: these tests flush by hand.
        _tracker = new DriftTracker(store, publisher, _services.GetRequiredService<ServiceOptions>().Drift with { FlushInterval = TimeSpan.FromMinutes(1) });
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private static bool[] Outcomes(int count, int oodEvery) => Enumerable.Range(0, count).Select(i => i % oodEvery == 0).ToArray();

    [Fact]
    public async Task Parallel_writers_lose_no_outcomes()
    {
        const int writers = 16, each = 25;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => _tracker.RecordAsync(new DriftBatch("parallel", 1, ExpectedRate, Outcomes(each, 5)), CancellationToken.None)));

        var window = await _tracker.GetAsync("parallel", CancellationToken.None);
        Assert.NotNull(window);
        Assert.Equal((writers * each, writers * each, writers * 5), (window.TotalRecords, window.Outcomes.Length, window.OodCount));
        Assert.Equal(window.OodCount, window.Outcomes.Count(o => o));
    }

    [Fact]
    public async Task Unbuffered_requests_at_once_are_written_before_they_return_and_lose_nothing()
    {
        // No flush interval: each request's outcomes are in the table when it returns;
        // requests that arrive during a write share the next one (one writer per model version, no ETag collisions).
        var recorder = new DriftRecorder(new DriftTracker(_services.GetRequiredService<IDriftStore>(),
            new DriftAlarmPublisher(_services.GetRequiredService<IDriftAlertSender>(), _services.GetRequiredService<IModelRegistry>(), _services.GetRequiredService<IDriftStore>()),
            _services.GetRequiredService<ServiceOptions>().Drift with { FlushInterval = TimeSpan.Zero }));
        const int requests = 40, each = 5;
        await Task.WhenAll(Enumerable.Range(0, requests).Select(_ => Task.Run(() =>
            recorder.RecordAsync("grouped", 1, ExpectedRate, new VerdictOutcomes(Outcomes(each, 5), [1, 2]), CancellationToken.None))));

        var window = await _tracker.GetAsync("grouped", CancellationToken.None);
        Assert.NotNull(window);
        Assert.Equal((requests * each, requests * each, requests), (window.TotalRecords, window.Outcomes.Length, window.OodCount));
        Assert.Equal([requests * 1L, requests * 2L], window.Hours.Single().LayerFires!);
        await recorder.RecordAsync("grouped", 1, ExpectedRate, [true], CancellationToken.None);
        Assert.Equal(requests * each + 1, (await _tracker.GetAsync("grouped", CancellationToken.None))!.TotalRecords);
    }

    [Fact]
    public async Task A_batch_id_is_counted_once()
    {
        var first = await _tracker.RecordAsync(new DriftBatch("batches", 1, ExpectedRate, Outcomes(30, 3), "b-1"), CancellationToken.None);
        var again = await _tracker.RecordAsync(new DriftBatch("batches", 1, ExpectedRate, Outcomes(30, 3), "b-1"), CancellationToken.None);

        Assert.True(first.Counted);
        Assert.False(again.Counted);
        Assert.Equal(30, (await _tracker.GetAsync("batches", CancellationToken.None))!.TotalRecords);
    }

    [Fact]
    public async Task A_newer_version_starts_a_new_window_and_older_verdicts_are_ignored()
    {
        var raised = await _tracker.RecordAsync(new DriftBatch("versions", 1, ExpectedRate, Outcomes(60, 1)), CancellationToken.None);
        var alarmed = await _tracker.GetAsync("versions", CancellationToken.None);
        Assert.True(raised.Raised);
        // The alarm's alert went out and nothing is left owed on the row.
        Assert.Equal((true, 1, false, false), (alarmed!.Alarm, alarmed.AlarmsRaised, alarmed.AlertPending, alarmed.RegistryPending));
        Assert.Contains(await TestApp.PeekAllAsync(_clients.Alerts), m => m.Contains("\"modelId\":\"versions\"", StringComparison.Ordinal));

        var newer = await _tracker.RecordAsync(new DriftBatch("versions", 2, ExpectedRate, Outcomes(10, 100)), CancellationToken.None);
        var stale = await _tracker.RecordAsync(new DriftBatch("versions", 1, ExpectedRate, Outcomes(10, 1)), CancellationToken.None);

        var window = await _tracker.GetAsync("versions", CancellationToken.None);
        Assert.True(newer.Cleared);
        Assert.False(stale.Counted);
        Assert.Equal((2, 10, 1, false), (window!.ModelVersion, window.Outcomes.Length, window.OodCount, window.Alarm));
    }

    [Fact]
    public async Task Buffered_outcomes_arrive_in_order_when_flushed()
    {
        var recorder = new DriftRecorder(_tracker);
        var sent = new List<bool>();
        for (var i = 0; i < 10; i++)
        {
            var outcomes = Outcomes(7, i + 2);
            sent.AddRange(outcomes);
            await recorder.RecordAsync("buffered", 1, ExpectedRate, outcomes, CancellationToken.None);
        }
        Assert.True(recorder.Buffered);
        Assert.Null(await _tracker.GetAsync("buffered", CancellationToken.None));

        await recorder.FlushAsync(CancellationToken.None);

        var window = await _tracker.GetAsync("buffered", CancellationToken.None);
        Assert.Equal(sent, window!.Outcomes);
    }

    [Fact]
    public async Task Buffered_outcomes_beyond_the_window_still_count_in_the_totals()
    {
        var recorder = new DriftRecorder(_tracker);
        var sent = Outcomes(2000, 4).Concat(Outcomes(500, 2)).ToArray();
        await recorder.RecordAsync("overflow", 1, ExpectedRate, sent[..2000], CancellationToken.None);
        await recorder.RecordAsync("overflow", 1, ExpectedRate, sent[2000..], CancellationToken.None);

        await recorder.FlushAsync(CancellationToken.None);

        var window = await _tracker.GetAsync("overflow", CancellationToken.None);
        var ood = sent.Count(o => o);
        // The test's window keeps the newest 1,000; the counters and the hourly buckets count every record.
        Assert.Equal((2500, ood), (window!.TotalRecords, window.TotalOod));
        Assert.Equal((2500, ood), (window.Hours.Sum(h => h.Records), window.Hours.Sum(h => h.Ood)));
        Assert.Equal(sent[^1000..], window.Outcomes);
    }

    [Fact]
    public async Task Hours_cover_the_last_week_with_alarms_and_keep_per_layer_fires_for_the_last_day()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 20, 0, 10, 0, TimeSpan.Zero));
        var store = _services.GetRequiredService<IDriftStore>();
        var publisher = new DriftAlarmPublisher(_services.GetRequiredService<IDriftAlertSender>(), _services.GetRequiredService<IModelRegistry>(), store);
        var tracker = new DriftTracker(store, publisher, _services.GetRequiredService<ServiceOptions>().Drift with { FlushInterval = TimeSpan.Zero }, time: clock);
        var recorder = new DriftRecorder(tracker); // written during each request
        // Nine days, one write every 3 hours: 20 records, 1 OOD, and per layer [1, 2, 3] fires; 30 hours before the end, 200 OOD records.
        const int hours = 9 * 24;
        for (var h = 0; h < hours; h += 3)
        {
            clock.Now = new DateTimeOffset(2026, 11, 20, 0, 10, 0, TimeSpan.Zero).AddHours(h);
            var burst = h == hours - 30;
            var outcomes = burst ? Enumerable.Repeat(true, 200).ToArray() : Enumerable.Range(0, 20).Select(i => i == 0).ToArray();
            await recorder.RecordAsync("history", 1, ExpectedRate, new VerdictOutcomes(outcomes, [1, 2, 3]), CancellationToken.None);
        }

        var window = (await tracker.GetAsync("history", CancellationToken.None))!;
        var last = DriftWindowRecord.HourOf(clock.Now);
        Assert.True(window.Hours.Count <= 7 * 24 + 1, $"{window.Hours.Count} hourly buckets kept.");
        Assert.True(window.Hours.Min(h => h.Hour) > last.AddHours(-7 * 24 - 1), "Buckets older than a week are kept.");
        Assert.Equal(57, window.Hours.Count); // writes at hours 45..213 of the run: those after the last one's hour − 169
        // Per-layer fires only for the last day (the hour in progress and the 24 before it): bounded, whatever the layer count.
        var withFires = window.Hours.Where(h => h.LayerFires is not null).ToList();
        Assert.All(withFires, h => Assert.True(h.Hour > last.AddHours(-25)));
        Assert.Equal(9, withFires.Count); // writes at hours 189..213: after the last one's hour − 25
        Assert.All(withFires, h => Assert.Equal([1L, 2L, 3L], h.LayerFires!));
        // The burst raised the alarm: its hour says so; hours of the first days, before it, do not.
        Assert.True(window.Hours.Single(h => h.Hour == last.AddHours(-27)).Alarm);
        Assert.False(window.Hours.First().Alarm);
        Assert.Equal(9 * 20 + 200, window.Hours.Where(h => h.Hour >= last.AddHours(-27)).Sum(h => h.Records)); // the burst's hour and the nine writes after it
    }

    [Fact]
    public async Task Buffered_per_layer_fires_add_up_and_another_versions_layers_are_not_mixed_in()
    {
        var recorder = new DriftRecorder(_tracker);
        await recorder.RecordAsync("fires", 1, ExpectedRate, new VerdictOutcomes(Outcomes(10, 2), [5, 0]), CancellationToken.None);
        await recorder.RecordAsync("fires", 1, ExpectedRate, new VerdictOutcomes(Outcomes(10, 2), [1, 4]), CancellationToken.None);
        await recorder.FlushAsync(CancellationToken.None);
        var window = (await _tracker.GetAsync("fires", CancellationToken.None))!;
        Assert.Equal([6L, 4L], window.Hours.Single().LayerFires!);

        await recorder.RecordAsync("fires", 2, ExpectedRate, new VerdictOutcomes(Outcomes(10, 2), [7, 7, 7]), CancellationToken.None);
        await recorder.FlushAsync(CancellationToken.None);
        window = (await _tracker.GetAsync("fires", CancellationToken.None))!;
        Assert.Equal([7L, 7L, 7L], window.Hours.Single().LayerFires!);
        Assert.Equal(30, window.Hours.Single().Records);
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(1000)]
    public void Outcomes_round_trip_through_their_bit_packing(int count)
    {
        var outcomes = Enumerable.Range(0, count).Select(i => (i * 7919 % 13) < 4).ToArray();
        var packed = DriftWindowMapper.Pack(outcomes);
        Assert.Equal((count + 7) / 8, packed.Length);
        Assert.Equal(outcomes, DriftWindowMapper.Unpack(packed, count));
    }
}
