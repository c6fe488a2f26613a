namespace NeuralFP.Azure.Configuration;

/// <summary>How storage calls are retried, timed out and cut off when storage keeps failing.</summary>
public sealed record StorageResilienceOptions
{
    public int MaxRetries { get; set; } = 4;

    /// <summary>Base delay of the exponential back-off (jittered).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Timeout of one attempt of an ordinary call (a table row, a fingerprint file, a result).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Timeout of one attempt of a health ping: an unreachable account must show within seconds.</summary>
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeout of one attempt of a whole-file transfer (a model of 256 MiB, a reference set of 1 GiB).</summary>
    public TimeSpan TransferTimeout { get; set; } = TimeSpan.FromMinutes(30);

    public double BreakerFailureRatio { get; set; } = 0.5;

    public int BreakerMinimumThroughput { get; set; } = 20;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(10);

    public void Validate()
    {
        if (MaxRetries is < 0 or > 20) throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "Storage retries must be between 0 and 20.");
        if (RetryDelay < TimeSpan.Zero || RetryDelay > TimeSpan.FromMinutes(1)) throw new ArgumentOutOfRangeException(nameof(RetryDelay), RetryDelay, "Retry delay must be between 0 and 1 minute.");
        // Polly's own bounds: timeout in (10 ms, 24 h), break duration ≥ 500 ms, sampling ≥ 500 ms, ratio in (0, 1].
        if (AttemptTimeout <= TimeSpan.FromMilliseconds(10) || AttemptTimeout > TimeSpan.FromHours(1)) throw new ArgumentOutOfRangeException(nameof(AttemptTimeout), AttemptTimeout, "Attempt timeout must be between 10 ms and 1 hour.");
        if (PingTimeout <= TimeSpan.FromMilliseconds(10) || PingTimeout > TimeSpan.FromMinutes(5)) throw new ArgumentOutOfRangeException(nameof(PingTimeout), PingTimeout, "Ping timeout must be between 10 ms and 5 minutes.");
        if (TransferTimeout < AttemptTimeout || TransferTimeout > TimeSpan.FromHours(2)) throw new ArgumentOutOfRangeException(nameof(TransferTimeout), TransferTimeout, "Transfer timeout must be at least the attempt timeout and at most 2 hours.");
        if (BreakerFailureRatio is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(BreakerFailureRatio), BreakerFailureRatio, "Breaker failure ratio must be in (0, 1].");
        if (BreakerMinimumThroughput < 2) throw new ArgumentOutOfRangeException(nameof(BreakerMinimumThroughput), BreakerMinimumThroughput, "Breaker minimum throughput must be at least 2.");
        if (BreakerSamplingDuration < TimeSpan.FromMilliseconds(500)) throw new ArgumentOutOfRangeException(nameof(BreakerSamplingDuration), BreakerSamplingDuration, "Breaker sampling duration must be at least 500 ms.");
        if (BreakDuration < TimeSpan.FromMilliseconds(500)) throw new ArgumentOutOfRangeException(nameof(BreakDuration), BreakDuration, "Break duration must be at least 500 ms.");
    }
}
