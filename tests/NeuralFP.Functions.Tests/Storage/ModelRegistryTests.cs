using NeuralFP.Core.Fingerprints;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Application.Registry;

namespace NeuralFP.Functions.Tests.Storage;

/// <summary>Registry writes are optimistic: an update based on a stale read is refused, so concurrent invocations cannot lose each other's changes.</summary>
public sealed class ModelRegistryTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task An_update_from_a_stale_read_is_refused()
    {
        var registry = _app.Registry;
        var read = await registry.GetOrAddAsync("etags", CancellationToken.None);
        var first = await registry.TryUpdateAsync(read with { Status = ModelStatus.Fingerprinting, LatestVersion = 1, BuildingVersion = 1 }, CancellationToken.None);
        var stale = await registry.TryUpdateAsync(read with { Status = ModelStatus.Failed, FailureReason = "lost update" }, CancellationToken.None);

        Assert.NotNull(first);
        Assert.Null(stale);
        var stored = await registry.GetAsync("etags", CancellationToken.None);
        Assert.Equal((ModelStatus.Fingerprinting, 1, (string?)null), (stored!.Status, stored.BuildingVersion, stored.FailureReason));
    }

    [Fact]
    public async Task Rows_round_trip_every_field()
    {
        var registry = _app.Registry;
        var read = await registry.GetOrAddAsync("round-trip", CancellationToken.None);
        var hashes = new ContentHashes("aa", "bb", "cc");
        var written = await registry.TryUpdateAsync(read with
        {
            Status = ModelStatus.Ready,
            CurrentVersion = 3,
            LatestVersion = 4,
            CurrentHashes = hashes,
            BuildingHashes = hashes with { Model = "dd" },
            Layers = ["input", "logits"],
            Detectors = ["msp", "knn"],
            DetectorSummaries = [Summary("msp", null), Summary("knn", new Core.Metrics.FprInterval(0.021, 0.087, 0.9, 160))],
            InputShape = [1, 28, 28],
            Calibration = new Core.Fingerprints.CalibrationSummary(600, 306, 54, 240, 0.05, 0.0458, 0.01, true),
            BuildSeconds = 1.5,
            ReadyAt = DateTimeOffset.UnixEpoch,
        }, CancellationToken.None);

        var stored = await registry.GetAsync("round-trip", CancellationToken.None);
        Assert.Equal(written! with { InputShape = null, Layers = [], Detectors = [], DetectorSummaries = null }, stored! with { InputShape = null, Layers = [], Detectors = [], DetectorSummaries = null });
        Assert.Equal(["input", "logits"], stored.Layers);
        Assert.Equal(["msp", "knn"], stored.Detectors);
        Assert.Equal(written.DetectorSummaries!, stored.DetectorSummaries!);
        Assert.Equal([1, 28, 28], stored.InputShape!);
        Assert.Equal(1, (await registry.ListAsync(CancellationToken.None)).Count(r => r.ModelId == "round-trip"));
    }

    [Fact]
    public async Task A_row_written_before_detector_summaries_were_recorded_reads_with_its_names_and_no_summaries()
    {
        var registry = _app.Registry;
        var read = await registry.GetOrAddAsync("names-only", CancellationToken.None);
        await registry.TryUpdateAsync(read with { Status = ModelStatus.Ready, CurrentVersion = 1, LatestVersion = 1, Detectors = ["msp"] }, CancellationToken.None);

        var stored = await registry.GetAsync("names-only", CancellationToken.None);

        Assert.Equal(["msp"], stored!.Detectors);
        Assert.Null(stored.DetectorSummaries);
    }

    [Fact]
    public async Task Listing_by_status_reads_the_rows_in_those_statuses_only()
    {
        var registry = _app.Registry;
        foreach (var (id, status) in new[] { ("s-ready", ModelStatus.Ready), ("s-building", ModelStatus.Fingerprinting), ("s-pending", ModelStatus.Pending), ("s-failed", ModelStatus.Failed) })
            await registry.TryUpdateAsync(await registry.GetOrAddAsync(id, CancellationToken.None) with { Status = status }, CancellationToken.None);

        var unfinished = await registry.ListAsync([ModelStatus.Fingerprinting, ModelStatus.Failed], CancellationToken.None);

        Assert.Equal(["s-building", "s-failed"], unfinished.Select(r => r.ModelId));
        Assert.Equal(["s-pending"], (await registry.ListAsync([ModelStatus.Pending], CancellationToken.None)).Select(r => r.ModelId));
        Assert.Empty(await registry.ListAsync([], CancellationToken.None));
        Assert.Equal(4, (await registry.ListAsync(CancellationToken.None)).Count(r => r.ModelId.StartsWith("s-", StringComparison.Ordinal)));
    }

    private static DetectorSummary Summary(string name, Core.Metrics.FprInterval? newData)
        => new(name, $"{name} over the model's outputs", 0.25, 1024, 0.05, KeepsReferenceData: name == "knn", newData);

    [Theory]
    [InlineData("has space")]
    [InlineData("slash/inside")]
    [InlineData("-leading-dash")]
    [InlineData("")]
    public async Task Invalid_model_ids_are_refused_before_any_call(string modelId)
        => await Assert.ThrowsAsync<InvalidModelIdException>(() => _app.Registry.GetAsync(modelId, CancellationToken.None));
}
