using Azure;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Hosting;
using NeuralFP.Azure.Resilience;
using Polly.CircuitBreaker;

namespace NeuralFP.Functions.Tests.Storage;

/// <summary>Transient storage faults are retried and, when they persist, cut off by the breaker; answers such as 404 pass straight through.</summary>
public sealed class StorageResilienceTests
{
    private static StorageResilience Pipeline(int retries = 3) => StorageResilience.Create(new StorageResilienceOptions
    {
        MaxRetries = retries,
        RetryDelay = TimeSpan.FromMilliseconds(1),
        BreakerMinimumThroughput = 4,
        BreakDuration = TimeSpan.FromSeconds(30),
    });

    [Fact]
    public async Task Throttling_is_retried_until_the_call_succeeds()
    {
        var attempts = 0;
        var result = await Pipeline().ExecuteAsync(_ =>
        {
            attempts++;
            return attempts < 3 ? throw new RequestFailedException(503, "Server busy") : ValueTask.FromResult("done");
        }, CancellationToken.None);
        Assert.Equal(("done", 3), (result, attempts));
    }

    [Theory]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(412)]
    public async Task Answers_are_not_retried(int status)
    {
        var attempts = 0;
        var error = await Assert.ThrowsAsync<RequestFailedException>(async () => await Pipeline().ExecuteAsync<int>(_ =>
        {
            attempts++;
            throw new RequestFailedException(status, "answer");
        }, CancellationToken.None));
        Assert.Equal((status, 1), (error.Status, attempts));
    }

    [Fact]
    public async Task Persistent_failures_give_up_after_the_retries_and_then_open_the_circuit()
    {
        var pipeline = Pipeline(retries: 2);
        var attempts = 0;
        Func<CancellationToken, ValueTask<int>> failing = _ =>
        {
            attempts++;
            throw new HttpRequestException("connection refused");
        };
        await Assert.ThrowsAsync<HttpRequestException>(async () => await pipeline.ExecuteAsync(failing, CancellationToken.None));
        Assert.Equal(3, attempts);
        await Assert.ThrowsAnyAsync<Exception>(async () => await pipeline.ExecuteAsync(failing, CancellationToken.None));
        var before = attempts;
        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await pipeline.ExecuteAsync(failing, CancellationToken.None));
        Assert.Equal(before, attempts);
    }

    [Fact]
    public async Task A_hung_attempt_times_out_and_is_retried()
    {
        var pipeline = StorageResilience.Create(new StorageResilienceOptions { MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(1), AttemptTimeout = TimeSpan.FromMilliseconds(200) });
        var attempts = 0;
        var result = await pipeline.ExecuteAsync(async ct =>
        {
            if (++attempts == 1) await Task.Delay(Timeout.Infinite, ct);
            return attempts;
        }, CancellationToken.None);
        Assert.Equal(2, result);
    }
}
