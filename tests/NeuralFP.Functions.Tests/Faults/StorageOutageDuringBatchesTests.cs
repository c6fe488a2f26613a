using System.Diagnostics;
using System.Text;
using System.Text.Json;
using global::Azure.Storage.Queues.Models;
using NeuralFP.Application.Registry;
using NeuralFP.Functions.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NeuralFP.Functions.Tests.Faults;

/// <summary>
/// Storage stopped while a stream of queued score requests is being worked through, then started again: every batch
/// ends with exactly one results/{batchId}.json and its summary on the results queue (at least once; a repeat is identical); none lost.
/// </summary>
public sealed class StorageOutageDuringBatchesTests(ITestOutputHelper output) : PrivateStorageFaultTest
{
    private const int Batches = 200;
    private const string ModelId = "stream";
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(8);

    private static string BatchId(int i) => $"b{i:D3}";

    private async Task<HashSet<string>> ResultNamesAsync()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var blob in App.Clients.Results.GetBlobsAsync()) names.Add(blob.Name);
        return names;
    }

    [Fact]
    public async Task Every_queued_batch_has_exactly_one_result_and_its_summary_after_an_outage()
    {
        await TestModels.UploadAsync(App, ModelId, TestModels.Cnn, TestModels.Reference());
        await App.WaitForStatusAsync(ModelId, ModelStatus.Ready);

        var records = TestModels.RecordsJson(TestModels.Probe(2))[1..^1]; // "records":[...]
        for (var i = 0; i < Batches; i++)
            await App.SendAsync(App.Clients.ScoreRequests, $"{{\"batchId\":\"{BatchId(i)}\",\"modelId\":\"{ModelId}\",{records}}}");

        // Cut storage once the stream is under way, so requests are in flight when it goes.
        await Eventually.UntilAsync(async () => (await ResultNamesAsync()).Count >= 10, "the first results");
        var scoredBefore = (await ResultNamesAsync()).Count;
        Azurite.Stop();
        var outage = Stopwatch.StartNew();
        try
        {
            await Task.Delay(Outage);
        }
        finally
        {
            Azurite.Start();
        }
        var down = outage.Elapsed;

        var expected = Enumerable.Range(0, Batches).Select(i => BatchId(i) + ".json").ToHashSet();
        var clock = Stopwatch.StartNew();
        HashSet<string> results = [];
        while (clock.Elapsed < FaultRun.RecoveryBar)
        {
            try
            {
                results = await ResultNamesAsync();
                if (results.SetEquals(expected)) break;
            }
            catch (Exception)
            {
                // storage still coming back
            }
            await Task.Delay(200);
        }
        var recovered = clock.Elapsed;
        Assert.Equal(expected.Order(), results.Order());
        // The stream was cut mid-way: not everything was scored before the outage.
        Assert.InRange(scoredBefore, 10, Batches - 1);

        // Every request consumed: nothing left (visible or leased) and nothing poisoned.
        await Eventually.UntilAsync(async () => (await App.Clients.ScoreRequests.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "the request queue to drain", FaultRun.RecoveryBar);
        Assert.Empty(await TestApp.PeekAllAsync(App.Clients.ScoreRequestsPoison));

        var summaries = await DrainAsync(App.Clients.ScoreResults);
        var byBatch = summaries.GroupBy(s => JsonDocument.Parse(s).RootElement.GetProperty("batchId").GetString()!).ToDictionary(g => g.Key, g => g.ToList());
        var perBatch = byBatch.ToDictionary(g => g.Key, g => g.Value.Count);
        output.WriteLine($"{Batches} batches, storage down {down.TotalSeconds:F1} s with {scoredBefore} scored; all {results.Count} results {recovered.TotalSeconds:F1} s after storage came back; " +
            $"{summaries.Count} summaries, {perBatch.Count(p => p.Value > 1)} batches summarised more than once.");
        Assert.Equal(Enumerable.Range(0, Batches).Select(BatchId).Order(), perBatch.Keys.Order());
        // Summaries are at least once, as queue outputs are: a request whose summary was written but whose delete was
        // cut off by the outage runs again and finds its result (idempotent per batchId), so it summarises again. The
        // repeat must be the same summary, so a consumer that keys on batchId sees each batch once.
        Assert.All(byBatch, p => Assert.True(p.Value.Distinct().Count() == 1, $"batch {p.Key}: {p.Value.Count} different summaries"));
    }

    /// <summary>Takes every message off a queue (decoded).</summary>
    private static async Task<List<string>> DrainAsync(global::Azure.Storage.Queues.QueueClient queue)
    {
        var all = new List<string>();
        while (true)
        {
            QueueMessage[] messages = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            if (messages.Length == 0) return all;
            all.AddRange(messages.Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.MessageText))));
        }
    }
}
