using Microsoft.Extensions.Logging;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Scoring;

/// <summary>A request that keeps failing is retried up to maxDequeueCount (5) times, then moved to the poison queue with its reason logged.</summary>
public sealed class PoisonQueueTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Request_for_an_unknown_model_ends_in_the_poison_queue_after_five_attempts()
    {
        const string message = "{\"batchId\":\"lost-1\",\"modelId\":\"no-such-model\",\"records\":[[0.5]]}";
        await _app.SendAsync(_app.Clients.ScoreRequests, message);

        var poisoned = await Eventually.WaitAsync(async () =>
        {
            var messages = await TestApp.PeekAllAsync(_app.Clients.ScoreRequestsPoison);
            return messages.Count > 0 ? messages : null;
        }, "the message to reach the poison queue");

        Assert.Equal(message, Assert.Single(poisoned));
        Assert.Empty(await TestApp.PeekAllAsync(_app.Clients.ScoreRequests));
        // The host (local host) logs the move with the function's error; the worker logged each of the five attempts.
        Assert.True(_app.Logs.Contains(LogLevel.Error, "moved to", _app.Names.ScoreRequestsPoison, "failed 5 times", "no-such-model", "is unknown"));
        var attempts = _app.Logs.Entries.Where(e => e.Message.Contains("ScoreBatch attempt", StringComparison.Ordinal) && e.Message.Contains("no-such-model", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, attempts.Count);
        Assert.All(Enumerable.Range(1, 5), n => Assert.Contains(attempts, e => e.Message.Contains($"attempt {n} failed", StringComparison.Ordinal)));
        Assert.Empty(await TestApp.PeekAllAsync(_app.Clients.ScoreResults));
        Assert.False(await _app.Clients.Results.GetBlobClient("lost-1.json").ExistsAsync());
    }

    [Fact]
    public async Task A_message_that_is_not_a_score_request_is_poisoned_with_the_parse_error_logged()
    {
        await _app.SendAsync(_app.Clients.ScoreRequests, "{\"batch\":\"x\"}");
        await Eventually.UntilAsync(async () => (await TestApp.PeekAllAsync(_app.Clients.ScoreRequestsPoison)).Contains("{\"batch\":\"x\"}"), "the bad message to be poisoned");
        Assert.True(_app.Logs.Contains(LogLevel.Error, "moved to", _app.Names.ScoreRequestsPoison, "batchId", "missing or invalid"));
    }
}
