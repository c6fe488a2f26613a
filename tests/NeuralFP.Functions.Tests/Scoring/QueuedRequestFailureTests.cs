using System.Text.Json;
using Microsoft.Extensions.Logging;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Scoring;

/// <summary>
/// A queued request that can never succeed as sent is rejected once (a rejection on score-results, one error naming the
/// problem, no retry, nothing in the poison queue); one that may succeed later (here: a model not uploaded yet) is retried
/// up to maxDequeueCount (5) times, then moved to the poison queue with its reason logged.
/// </summary>
public sealed class QueuedRequestFailureTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonElement> RejectionAsync(Func<JsonElement, bool> match, string what)
    {
        var text = await Eventually.WaitAsync(async () => (await TestApp.PeekAllAsync(_app.Clients.ScoreResults))
            .FirstOrDefault(m => JsonDocument.Parse(m).RootElement is var root && root.GetProperty("status").GetString() == "rejected" && match(root)), what);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task A_request_whose_records_blob_does_not_exist_is_rejected_once_and_not_retried()
    {
        await _app.SendAsync(_app.Clients.ScoreRequests, $"{{\"batchId\":\"lost-1\",\"modelId\":\"some-model\",\"recordsBlob\":\"{_app.Names.Prefix}-inbox/missing.npy\"}}");

        var rejection = await RejectionAsync(r => r.TryGetProperty("batchId", out var id) && id.GetString() == "lost-1", "the rejection of lost-1");
        var problem = rejection.GetProperty("problem");
        Assert.Equal(("some-model", "https://neuralfp.dev/problems/invalid-score-request", 400),
            (rejection.GetProperty("modelId").GetString(), problem.GetProperty("type").GetString(), problem.GetProperty("status").GetInt32()));
        Assert.Contains("missing.npy' does not exist", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(rejection.GetProperty("messageId").GetString()));

        // Completed, not retried: the request queue empties, nothing is poisoned, one error and no retry warning were logged.
        await Eventually.UntilAsync(async () => (await TestApp.PeekAllAsync(_app.Clients.ScoreRequests)).Count == 0, "the request to leave the queue");
        await Task.Delay(TimeSpan.FromSeconds(1)); // a retry would be visible again after the 100 ms visibility timeout
        Assert.Empty(await TestApp.PeekAllAsync(_app.Clients.ScoreRequestsPoison));
        Assert.Single(await TestApp.PeekAllAsync(_app.Clients.ScoreResults));
        Assert.Single(_app.Logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("rejected, not retried", StringComparison.Ordinal) && e.Message.Contains("lost-1", StringComparison.Ordinal));
        Assert.DoesNotContain(_app.Logs.Entries, e => e.Message.Contains("ScoreBatch attempt", StringComparison.Ordinal));
        Assert.False(await _app.Clients.Results.GetBlobClient("lost-1.json").ExistsAsync());
    }

    [Fact]
    public async Task A_message_that_is_not_a_score_request_is_rejected_with_the_parse_error_and_its_message_id()
    {
        await _app.SendAsync(_app.Clients.ScoreRequests, "{\"batch\":\"x\"}");

        var rejection = await RejectionAsync(r => !r.TryGetProperty("batchId", out _), "the rejection of the bad message");
        var problem = rejection.GetProperty("problem");
        Assert.Equal(("https://neuralfp.dev/problems/invalid-score-request", 400), (problem.GetProperty("type").GetString(), problem.GetProperty("status").GetInt32()));
        Assert.Contains("batchId", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("missing or invalid", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var messageId = rejection.GetProperty("messageId").GetString()!;
        Assert.True(_app.Logs.Contains(LogLevel.Error, "rejected, not retried", messageId, "missing or invalid"));
        Assert.Empty(await TestApp.PeekAllAsync(_app.Clients.ScoreRequestsPoison));
    }

    [Fact]
    public async Task A_request_for_a_model_not_uploaded_yet_is_retried_then_poisoned_with_the_reason()
    {
        // An unknown model may be one whose upload is still being registered, so the request is retried, not rejected.
        const string message = "{\"batchId\":\"early-1\",\"modelId\":\"no-such-model\",\"records\":[[0.5]]}";
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
        Assert.False(await _app.Clients.Results.GetBlobClient("early-1.json").ExistsAsync());
    }
}
