using System.Net.Sockets;
using Azure;
using Microsoft.Extensions.Logging;
using NeuralFP.Storage.Configuration;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace NeuralFP.Storage.Resilience;

/// <summary>
/// The one resilience pipeline every storage call runs through: jittered exponential retry around a
/// circuit breaker around a per-attempt timeout. Only transient failures (throttling, 5xx, network,
/// timeouts) are retried or counted by the breaker; 404/409/412 are answers, not faults.
/// </summary>
public sealed class StorageResilience
{
    private readonly ResiliencePipeline _pipeline;

    public StorageResilience(StorageResilienceOptions options, ILogger<StorageResilience>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var transient = new PredicateBuilder().Handle<Exception>(IsTransient);
        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = Math.Max(options.MaxRetries, 0),
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    logger?.LogWarning(args.Outcome.Exception, "Storage call failed (attempt {Attempt}); retrying in {Delay}.", args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakDuration,
                OnOpened = args =>
                {
                    logger?.LogError(args.Outcome.Exception, "Storage circuit opened for {BreakDuration} after repeated failures.", args.BreakDuration);
                    return default;
                },
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    public ValueTask<T> ExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> operation, CancellationToken cancellationToken)
        => _pipeline.ExecuteAsync(operation, cancellationToken);

    public ValueTask ExecuteAsync(Func<CancellationToken, ValueTask> operation, CancellationToken cancellationToken)
        => _pipeline.ExecuteAsync(operation, cancellationToken);

    /// <summary>Throttling, server errors, network failures and per-attempt timeouts; never a plain "not found" or "conflict".</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        RequestFailedException { Status: 0 or 408 or 429 or 500 or 502 or 503 or 504 } => true,
        HttpRequestException or SocketException or TimeoutRejectedException => true,
        IOException { InnerException: SocketException } => true,
        _ => false,
    };
}
