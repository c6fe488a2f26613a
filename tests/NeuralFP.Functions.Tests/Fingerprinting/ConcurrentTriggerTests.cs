using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;

namespace NeuralFP.Functions.Tests.Fingerprinting;

/// <summary>Two triggers for the same content at once (both files landing together) build one version, not two.</summary>
public sealed class ConcurrentTriggerTests : IAsyncLifetime
{
    private ServiceProvider _services = null!;

    // Without the app (no trigger fires): this test runs the job itself, twice, at the same moment, on the real adapters.
    public async Task InitializeAsync()
    {
        _services = StorageServices.Create(StorageServices.Configuration(StorageNames.Unique()));
        await _services.GetRequiredService<Azure.Configuration.StorageClients>().EnsureCreatedAsync(
            _services.GetRequiredService<Azure.Resilience.StorageResilience>(), CancellationToken.None);
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task Simultaneous_invocations_build_exactly_one_version()
    {
        await TestModels.UploadAsync(_services.GetRequiredService<IModelFileStore>(), "twice", TestModels.Cnn, TestModels.Reference());
        var job = _services.GetRequiredService<FingerprintJob>();

        var outcomes = await Task.WhenAll(job.RunAsync("twice", CancellationToken.None), job.RunAsync("twice", CancellationToken.None));

        Assert.Single(outcomes, o => o.Kind == FingerprintOutcomeKind.Built);
        Assert.Single(outcomes, o => o.Kind is FingerprintOutcomeKind.InProgressElsewhere or FingerprintOutcomeKind.Unchanged);
        var record = await _services.GetRequiredService<IModelRegistry>().GetAsync("twice", CancellationToken.None);
        Assert.Equal((ModelStatus.Ready, 1, 1), (record!.Status, record.CurrentVersion, record.LatestVersion));
        Assert.Equal(FingerprintOutcomeKind.Unchanged, (await job.RunAsync("twice", CancellationToken.None)).Kind);
    }
}
