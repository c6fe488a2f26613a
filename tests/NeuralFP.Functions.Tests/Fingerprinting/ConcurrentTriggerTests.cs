using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Registry;

namespace NeuralFP.Functions.Tests.Fingerprinting;

/// <summary>Two triggers for the same content at once (both files landing together) build one version, not two.</summary>
public sealed class ConcurrentTriggerTests : IAsyncLifetime
{
    private TestApp _app = null!;

    // Without the local host: this test fires the job itself, twice, at the same moment.
    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Simultaneous_invocations_build_exactly_one_version()
    {
        await TestModels.UploadAsync(_app, "twice", TestModels.Cnn, TestModels.Reference());
        var job = _app.Services.GetRequiredService<FingerprintJob>();

        var outcomes = await Task.WhenAll(job.RunAsync("twice", CancellationToken.None), job.RunAsync("twice", CancellationToken.None));

        Assert.Single(outcomes, o => o.Kind == FingerprintOutcomeKind.Built);
        Assert.Single(outcomes, o => o.Kind is FingerprintOutcomeKind.InProgressElsewhere or FingerprintOutcomeKind.Unchanged);
        var record = await _app.Registry.GetAsync("twice", CancellationToken.None);
        Assert.Equal((ModelStatus.Ready, 1, 1), (record!.Status, record.CurrentVersion, record.LatestVersion));
        Assert.Equal(FingerprintOutcomeKind.Unchanged, (await job.RunAsync("twice", CancellationToken.None)).Kind);
    }
}
