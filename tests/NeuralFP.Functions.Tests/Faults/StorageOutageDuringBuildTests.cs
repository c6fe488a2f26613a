using System.Diagnostics;
using NeuralFP.Application.Registry;
using NeuralFP.Functions.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NeuralFP.Functions.Tests.Faults;

/// <summary>
/// Storage stopped in the middle of a build and started again (an Azurite of the test's own, same data): the build
/// cannot renew its lease or write its result, and after recovery the model still ends ready (or failed with a
/// reason) without a new upload or a manual step.
/// </summary>
public sealed class StorageOutageDuringBuildTests(ITestOutputHelper output) : PrivateStorageFaultTest
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(12);

    [Fact]
    public async Task A_build_cut_off_by_a_storage_outage_ends_ready_or_failed_after_recovery()
    {
        var building = await FaultRun.StartSlowBuildAsync(App, "outage");

        Azurite.Stop();
        var outage = Stopwatch.StartNew();
        try
        {
            await Task.Delay(Outage); // longer than the 10 s lease: the build cannot renew it
        }
        finally
        {
            Azurite.Start();
        }
        var down = outage.Elapsed;

        var (row, elapsed) = await FaultRun.WaitUntilSettledAsync(App, "outage");
        output.WriteLine($"Storage down {down.TotalSeconds:F1} s during the build of v{building.BuildingVersion}; " +
            $"model {row.Status} (v{row.CurrentVersion}{(row.FailureReason is null ? "" : ", " + row.FailureReason)}) {elapsed.TotalSeconds:F1} s after storage came back.");

        if (row.Status == ModelStatus.Failed)
        {
            Assert.False(string.IsNullOrWhiteSpace(row.FailureReason));
        }
        else
        {
            Assert.Equal(ModelStatus.Ready, row.Status);
            Assert.True(row.CurrentVersion >= building.BuildingVersion);
            await FaultRun.AssertServesVerdictsAsync(App, "outage");
        }
        // Settled means settled: no build left leased on the row.
        Assert.Null(row.LeaseExpiresAt);
    }
}
