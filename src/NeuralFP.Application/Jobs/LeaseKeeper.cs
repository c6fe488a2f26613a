using Microsoft.Extensions.Logging;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;

namespace NeuralFP.Application.Jobs;

/// <summary>
/// Keeps a build's registry lease alive while the build works: renews <see cref="ModelRecord.LeaseExpiresAt"/> every
/// third of the lease. When the row no longer names this build (a newer upload, or a takeover after this build
/// stalled), <see cref="Token"/> is cancelled so the build stops instead of racing its successor. A renewal that fails
/// (storage down) is retried at the next tick; if storage stays down past the lease, the build is presumed dead by others.
/// </summary>
internal sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly CancellationTokenSource _build;
    private readonly Task _loop;

    private LeaseKeeper(CancellationToken outer)
    {
        _stop = new CancellationTokenSource();
        _build = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _loop = Task.CompletedTask;
    }

    private LeaseKeeper(IModelRegistry registry, string modelId, int version, TimeSpan lease, TimeProvider time, ILogger logger, CancellationToken outer)
        : this(outer)
    {
        _loop = RenewAsync(registry, modelId, version, lease, time, logger);
    }

    /// <summary>Cancelled when the caller cancels or the lease is lost.</summary>
    public CancellationToken Token => _build.Token;

    /// <summary>Another claim owns the row: this build's result must not be used.</summary>
    public bool Lost { get; private set; }

    public static LeaseKeeper Start(IModelRegistry registry, string modelId, int version, TimeSpan lease, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
        => new(registry, modelId, version, lease, time, logger, cancellationToken);

    private async Task RenewAsync(IModelRegistry registry, string modelId, int version, TimeSpan lease, TimeProvider time, ILogger logger)
    {
        var period = lease / 3;
        try
        {
            while (true)
            {
                await Task.Delay(period, time, _stop.Token).ConfigureAwait(false);
                try
                {
                    while (true)
                    {
                        var record = await registry.GetAsync(modelId, _stop.Token).ConfigureAwait(false);
                        if (record is null || record.BuildingVersion != version || record.Status != ModelStatus.Fingerprinting)
                        {
                            logger.LogWarning("Model {ModelId}: version {Version} lost its build lease (the row now names version {Other}); stopping this build.", modelId, version, record?.BuildingVersion);
                            Lost = true;
                            await _build.CancelAsync().ConfigureAwait(false);
                            return;
                        }
                        var renewed = record with { LeaseExpiresAt = time.GetUtcNow() + lease };
                        if (await registry.TryUpdateAsync(renewed, _stop.Token).ConfigureAwait(false) is not null) break;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("Model {ModelId}: renewing the lease of version {Version} failed ({Error}); trying again in {Period}.", modelId, version, e.Message, period);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _build.Dispose();
    }
}
