using NeuralFP.Application.Ports;

namespace NeuralFP.Functions.Monitoring;

/// <summary>
/// Whether storage answers, for the health endpoint, without a table round trip per call: a probe's answer is reused for
/// <see cref="HealthyFor"/> (or <see cref="UnhealthyFor"/> after a failure, so recovery shows soon), and callers that
/// arrive while a probe runs share it. A load balancer polling health every second thus costs one table read in five.
/// </summary>
public sealed class StorageProbe(IModelRegistry registry, TimeProvider time, ILogger<StorageProbe> logger)
{
    public static readonly TimeSpan HealthyFor = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan UnhealthyFor = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private Task<bool>? _probe;
    private long _startedAt;

    /// <returns>True when the registry table answered the last probe.</returns>
    public Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_probe is { IsCompleted: true } done && time.GetElapsedTime(_startedAt) < (done.Result ? HealthyFor : UnhealthyFor))
                return done;
            if (_probe is not { IsCompleted: false })
            {
                _startedAt = time.GetTimestamp();
                _probe = ProbeAsync();
            }
            return _probe.WaitAsync(cancellationToken);
        }
    }

    private async Task<bool> ProbeAsync()
    {
        try
        {
            // Not a caller's token: the probe is shared (the ping pipeline bounds it at a few seconds).
            await registry.PingAsync(CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Health check: storage unreachable.");
            return false;
        }
    }
}
