using NeuralFP.Application.Registry;
using NeuralFP.Functions.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NeuralFP.Functions.Tests.Faults;

/// <summary>
/// The worker process killed (kill -9) in the middle of a build, under the local host, which starts a new worker by
/// itself: the row is left <c>fingerprinting</c> with a lease nobody renews, and the sweep timer takes the build over
/// once the lease runs out, with no new upload and no manual step.
/// </summary>
public sealed class WorkerCrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(settings: FaultRun.FastRecovery());

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_build_cut_off_by_a_killed_worker_is_taken_over_and_ends_ready()
    {
        var building = await FaultRun.StartSlowBuildAsync(_app, "killed");
        var worker = _app.Host.WorkerProcessId;
        Assert.NotNull(worker);

        await _app.Host.KillWorkerAsync();
        var killedAt = DateTimeOffset.UtcNow;

        // The kill landed mid-build: the row still says fingerprinting, with the version being built.
        var cut = await _app.Registry.GetAsync("killed", CancellationToken.None);
        Assert.Equal((ModelStatus.Fingerprinting, building.BuildingVersion), (cut!.Status, cut.BuildingVersion));

        var (row, elapsed) = await FaultRun.WaitUntilSettledAsync(_app, "killed");
        output.WriteLine($"Worker killed while building v{building.BuildingVersion}; " +
            $"model {row.Status} (v{row.CurrentVersion}, {row.BuildSeconds:F1} s build) {elapsed.TotalSeconds:F1} s after the kill.");

        Assert.True(row.Status == ModelStatus.Ready, $"ended {row.Status}: {row.FailureReason}");
        Assert.True(row.CurrentVersion >= building.BuildingVersion, $"current v{row.CurrentVersion}, cut-off build was v{building.BuildingVersion}");
        Assert.True(row.ReadyAt > killedAt, "ready before the kill: the build was not interrupted");
        Assert.NotEqual(worker, _app.Host.WorkerProcessId); // a new worker process serves the app
        await FaultRun.AssertServesVerdictsAsync(_app, "killed");
        // The killed worker could not delete its copy of the reference; the build that took over removed it.
        Assert.Empty(Directory.EnumerateFiles(Path.GetTempPath(), $"nfp-reference-{worker}-*"));
    }
}
