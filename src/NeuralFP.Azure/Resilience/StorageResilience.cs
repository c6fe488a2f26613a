using System.Net.Sockets;
using Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralFP.Application.Errors;
using NeuralFP.Azure.Configuration;
using Polly;
using Polly.CircuitBreaker;
using Polly.DependencyInjection;
using Polly.Registry;
using Polly.Retry;
using Polly.Timeout;

namespace NeuralFP.Azure.Resilience;

/// <summary>
/// The named resilience pipelines storage calls run through (registered with Polly.Extensions): jittered exponential
/// retry around a circuit breaker around a per-attempt timeout. The pipelines differ in their timeout: a table row or
/// a small blob (<see cref="Default"/>), a health ping that must answer fast (<see cref="Ping"/>), and a whole model or
/// reference set that may be a gigabyte (<see cref="Transfer"/>). Only transient failures (throttling, 5xx, network,
/// timeouts) are retried or counted by the breaker; 404/409/412 are answers, not faults.
/// </summary>
public sealed class StorageResilience(ResiliencePipelineProvider<string> pipelines)
{
    public const string DefaultName = "storage";
    public const string PingName = "storage-ping";
    public const string TransferName = "storage-transfer";

    public ResiliencePipeline Default { get; } = pipelines.GetPipeline(DefaultName);

    public ResiliencePipeline Ping { get; } = pipelines.GetPipeline(PingName);

    public ResiliencePipeline Transfer { get; } = pipelines.GetPipeline(TransferName);

    public ValueTask<T> ExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> operation, CancellationToken cancellationToken)
        => Default.ExecuteAsync(operation, cancellationToken);

    public ValueTask ExecuteAsync(Func<CancellationToken, ValueTask> operation, CancellationToken cancellationToken)
        => Default.ExecuteAsync(operation, cancellationToken);

    /// <summary>
    /// Runs a write through <see cref="Default"/>; when its container, table or queue is missing (deleted under the running
    /// app), creates it as the app does at start (<paramref name="create"/>) and runs the write once more. A refusal to
    /// create it (no right to, or still being deleted) surfaces as the write's own failure.
    /// </summary>
    public async ValueTask<T> WriteCreatingAsync<T>(Func<CancellationToken, ValueTask<T>> write, Func<CancellationToken, Task> create, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(create);
        try
        {
            return await ExecuteAsync(write, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (IsMissingTarget(e))
        {
            // A table or container deleted a moment ago may not be creatable for a while (409 *BeingDeleted, which the
            // CreateIfNotExists calls swallow): the write below then fails as missing, and the caller's next attempt tries again.
            await ExecuteAsync(async ct => await create(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return await ExecuteAsync(write, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The container, table or queue written to does not exist (not a missing row or blob, which callers expect).</summary>
    public static bool IsMissingTarget(Exception exception)
        => exception is RequestFailedException { Status: 404, ErrorCode: "ContainerNotFound" or "TableNotFound" or "QueueNotFound" };

    /// <summary>Registers the three pipelines, configured from <see cref="StorageResilienceOptions"/>.</summary>
    public static IServiceCollection AddTo(IServiceCollection services)
    {
        services.AddResiliencePipeline(DefaultName, (builder, context) => Configure(builder, context, o => o.AttemptTimeout, o => o.MaxRetries));
        services.AddResiliencePipeline(PingName, (builder, context) => Configure(builder, context, o => o.PingTimeout, _ => 1));
        services.AddResiliencePipeline(TransferName, (builder, context) => Configure(builder, context, o => o.TransferTimeout, o => o.MaxRetries));
        services.AddSingleton<StorageResilience>();
        return services;
    }

    /// <summary>The pipelines on their own, for code and tests without a host.</summary>
    public static StorageResilience Create(StorageResilienceOptions options, ILoggerFactory? loggers = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(Options.Create(options));
        if (loggers is not null) services.AddSingleton(loggers);
        else services.AddLogging();
        AddTo(services);
        return services.BuildServiceProvider().GetRequiredService<StorageResilience>();
    }

    private static void Configure(ResiliencePipelineBuilder builder, AddResiliencePipelineContext<string> context, Func<StorageResilienceOptions, TimeSpan> timeout, Func<StorageResilienceOptions, int> retries)
    {
        var options = context.ServiceProvider.GetRequiredService<IOptions<StorageResilienceOptions>>().Value;
        var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger<StorageResilience>();
        var transient = new PredicateBuilder().Handle<Exception>(IsTransient);
        var name = context.PipelineKey;
        builder
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = Math.Max(Math.Min(retries(options), options.MaxRetries), 0),
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    logger.LogWarning(args.Outcome.Exception, "Storage call ({Pipeline}) failed (attempt {Attempt}); retrying in {Delay}.", name, args.AttemptNumber + 1, args.RetryDelay);
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
                    logger.LogError(args.Outcome.Exception, "Storage circuit ({Pipeline}) opened for {BreakDuration} after repeated failures.", name, args.BreakDuration);
                    return default;
                },
            })
            .AddTimeout(timeout(options));
    }

    /// <summary>
    /// A failure <see cref="IsTransient"/> does not call transient, as the application's <see cref="StorageRejectedException"/>
    /// naming what to change; null when the failure is transient or not storage's answer. The caller decides which answers
    /// (a 404, 409 or 412 it expects) are not failures at all before asking.
    /// </summary>
    public static StorageRejectedException? AsRejection(Exception exception, string target)
    {
        if (IsTransient(exception) || exception is not RequestFailedException failed) return null;
        var remedy = failed.Status switch
        {
            401 or 403 => "the app's identity or key may not write there: grant its managed identity the storage data contributor role, " +
                "or fix the connection string, account key or SAS (write permission, not expired) in the app settings",
            404 => "it does not exist and could not be created: create it, or give the app's identity the right to create it",
            400 or 413 => "storage rejects what was sent as malformed or too large; this content is dropped (report it as a bug)",
            _ => "storage refuses the request; check the account's settings (firewall, access tier, disabled shared keys)",
        };
        return new StorageRejectedException(target, failed.Status, failed.ErrorCode, remedy, exception);
    }

    /// <summary>Throttling, server errors, network failures and per-attempt timeouts; never a plain "not found" or "conflict".</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        RequestFailedException { Status: 0 or 408 or 429 or 500 or 502 or 503 or 504 } => true,
        HttpRequestException or SocketException or TimeoutRejectedException => true,
        IOException { InnerException: SocketException } => true,
        _ => false,
    };
}
