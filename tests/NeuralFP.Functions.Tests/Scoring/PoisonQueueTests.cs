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
        Assert.True(_app.Logs.Contains(LogLevel.Error, "goes to", _app.Names.ScoreRequestsPoison, "after 5 attempts", "no-such-model", "is unknown"));
        // Each of the five deliveries was tried once: four retries were scheduled before the fifth failure poisoned it.
        Assert.Equal(4, _app.Logs.Entries.Count(e => e.Message.Contains("failed, retrying", StringComparison.Ordinal)));
        Assert.Empty(await TestApp.PeekAllAsync(_app.Clients.ScoreResults));
        Assert.False(await _app.Clients.Results.GetBlobClient("lost-1.json").ExistsAsync());
    }

    [Fact]
    public async Task A_message_that_is_not_a_score_request_is_poisoned_with_the_parse_error_logged()
    {
        await _app.SendAsync(_app.Clients.ScoreRequests, "{\"batch\":\"x\"}");
        await Eventually.UntilAsync(async () => (await TestApp.PeekAllAsync(_app.Clients.ScoreRequestsPoison)).Contains("{\"batch\":\"x\"}"), "the bad message to be poisoned");
        Assert.True(_app.Logs.Contains(LogLevel.Error, "goes to", "batchId", "missing or invalid"));
    }
}
