using global::Azure.Messaging.ServiceBus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NeuralFP.Application.Ports;
using NeuralFP.Azure.ServiceBus;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Messaging;

/// <summary>
/// The app (worker in this process, under the local host, on the shared Azurite) whose summaries topic refuses every send
/// (the topic was deleted: Service Bus cannot run here, so the refusal comes from a sender at the SDK's boundary, see
/// <see cref="ServiceBusPublishingTests"/>). A scored batch keeps its result and its summary on score-results instead of
/// being retried into the poison queue; the refusal is logged with what to change.
/// </summary>
[Collection(InProcessWorkerCollection.Name)]
public sealed class SummariesTopicRefusedInAppTests : IAsyncLifetime
{
    private const string ModelId = "refused-topic";
    private readonly ServiceBusPublishingTests.RecordingSender _topic = new("batch-summaries")
    {
        Refuse = () => new ServiceBusException(false, "The messaging entity could not be found.", "batch-summaries", ServiceBusFailureReason.MessagingEntityNotFound),
    };

    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync(configure: builder => builder.Services.AddSingleton<IBatchSummaryPublisher>(new ServiceBusBatchSummaryPublisher(_topic)));
        await TestModels.BuildReadyInProcessAsync(_app, ModelId);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_batch_keeps_its_result_and_queue_summary_and_the_refusal_is_logged_once()
    {
        await _app.SendAsync(_app.Clients.ScoreRequests, $"{{\"batchId\":\"topic-1\",\"modelId\":\"{ModelId}\",{TestModels.RecordsJson(TestModels.Probe(4))[1..^1]}}}");

        var summary = await Eventually.WaitAsync(async () => (await TestApp.PeekAllAsync(_app.Clients.ScoreResults)).FirstOrDefault(m => m.Contains("\"topic-1\"", StringComparison.Ordinal)),
            "the summary on score-results");
        Assert.Contains("\"status\":\"scored\"", summary, StringComparison.Ordinal);
        Assert.True(await _app.Clients.Results.GetBlobClient("topic-1.json").ExistsAsync());
        await Eventually.UntilAsync(async () => (await TestApp.PeekAllAsync(_app.Clients.ScoreRequests)).Count == 0, "the request to leave the queue");
        Assert.Empty(await TestApp.PeekAllAsync(_app.Clients.ScoreRequestsPoison));
        Assert.Equal(1, _topic.Attempts);
        var error = Assert.Single(_app.Logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("topic-1", StringComparison.Ordinal));
        Assert.Contains("create it, or correct the topic setting", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_app.Logs.Entries, e => e.Message.Contains("ScoreBatch attempt", StringComparison.Ordinal));
    }
}
