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
        // The recorder buffers only with a flush interval (the app writes during each request and sets none).
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
