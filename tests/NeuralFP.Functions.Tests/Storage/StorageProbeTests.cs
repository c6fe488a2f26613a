using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Monitoring;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Storage;

/// <summary>
/// The health check's storage probe on a real Azurite of the test's own, on a clock the test moves: answers are reused for
/// a few seconds (one table read, not one per call), a failure is seen once the healthy answer has aged, and recovery
/// within a second of storage coming back.
/// </summary>
public sealed class StorageProbeTests : IAsyncLifetime
{
    private AzuriteServer _azurite = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _azurite = AzuriteServer.StartPrivate();
        _services = StorageServices.Create(StorageServices.Configuration([
            .. StorageNames.Unique().Settings(),
            StorageNames.Setting(SettingNames.Storage, _azurite.ConnectionString),
            StorageNames.Setting(SettingNames.StorageMaxRetries, "1"),
        ]));
        await _services.GetRequiredService<Azure.Configuration.StorageClients>().Registry.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _azurite.Dispose();
    }

    [Fact]
    public async Task Answers_are_reused_for_a_few_seconds_and_follow_an_outage_and_the_recovery()
    {
        var clock = new SteppedClock();
        var registry = new CountingRegistry(_services.GetRequiredService<IModelRegistry>());
        var probe = new StorageProbe(registry, clock, NullLogger<StorageProbe>.Instance);

        for (var i = 0; i < 20; i++) Assert.True(await probe.IsReachableAsync(CancellationToken.None));
        Assert.Equal(1, registry.Pings);

        _azurite.Stop();
        try
        {
            clock.Advance(StorageProbe.HealthyFor - TimeSpan.FromMilliseconds(1));
            Assert.True(await probe.IsReachableAsync(CancellationToken.None)); // the reused answer, at most a few seconds old
            clock.Advance(TimeSpan.FromMilliseconds(2));
            Assert.False(await probe.IsReachableAsync(CancellationToken.None));
            Assert.False(await probe.IsReachableAsync(CancellationToken.None));
            Assert.Equal(2, registry.Pings);
        }
        finally
        {
            _azurite.Start();
        }

        // Back: a failure is reused for a second only (the circuit breaker may hold a few more).
        await Eventually.UntilAsync(async () =>
        {
            clock.Advance(StorageProbe.UnhealthyFor);
            return await probe.IsReachableAsync(CancellationToken.None);
        }, "the probe to see storage again");
    }

    /// <summary>The real registry, counting the health probe's round trips.</summary>
    private sealed class CountingRegistry(IModelRegistry inner) : IModelRegistry
    {
        private int _pings;

        public int Pings => _pings;

        public Task PingAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _pings);
            return inner.PingAsync(cancellationToken);
        }

        public Task<ModelRecord?> GetAsync(string modelId, CancellationToken cancellationToken) => inner.GetAsync(modelId, cancellationToken);
        public Task<IReadOnlyList<ModelRecord>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);
        public Task<IReadOnlyList<ModelRecord>> ListAsync(IReadOnlyCollection<ModelStatus> statuses, CancellationToken cancellationToken) => inner.ListAsync(statuses, cancellationToken);
        public Task<ModelRecord> GetOrAddAsync(string modelId, CancellationToken cancellationToken) => inner.GetOrAddAsync(modelId, cancellationToken);
        public Task<ModelRecord?> TryAddAsync(ModelRecord record, CancellationToken cancellationToken) => inner.TryAddAsync(record, cancellationToken);
        public Task<ModelRecord?> TryUpdateAsync(ModelRecord record, CancellationToken cancellationToken) => inner.TryUpdateAsync(record, cancellationToken);
    }

    /// <summary>A clock whose timestamps move only when the test says.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks = 1;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;
    }
}
