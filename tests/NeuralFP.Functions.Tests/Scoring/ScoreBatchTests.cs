using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Application.Ports;

namespace NeuralFP.Functions.Tests.Scoring;

/// <summary>Queued batches, inline or as a .npy blob, end in results/{batchId}.json and a summary on score-results, once per batch id.</summary>
public sealed class ScoreBatchTests(ReadyModelFixture fixture) : IClassFixture<ReadyModelFixture>
{
    private TestApp App => fixture.App;

    private async Task<JsonElement> ResultAsync(string batchId)
    {
        var blob = App.Clients.Results.GetBlobClient(batchId + ".json");
        await Eventually.UntilAsync(async () => (await blob.ExistsAsync()).Value, $"results of {batchId}");
        return JsonDocument.Parse((await blob.DownloadContentAsync()).Value.Content.ToString()).RootElement.Clone();
    }

    private async Task<JsonElement> SummaryAsync(string batchId)
    {
        var text = await Eventually.WaitAsync(async () =>
            (await TestApp.PeekAllAsync(App.Clients.ScoreResults)).FirstOrDefault(m => m.Contains($"\"batchId\":\"{batchId}\"", StringComparison.Ordinal) && m.Contains("\"status\":\"scored\"", StringComparison.Ordinal)),
            $"the summary of {batchId}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<string> VerdictsFromHttpAsync(Core.Tensors.FloatTensor records)
    {
        var response = await App.Http.PostAsync($"api/models/{ReadyModelFixture.ModelId}/verdicts?detail=layers", new StringContent(TestModels.RecordsJson(records), Encoding.UTF8, "application/json"));
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("verdicts").ToString();
    }

    [Fact]
    public async Task Inline_records_are_scored_into_results_and_a_summary()
    {
        var records = TestModels.Probe(10);
        var body = TestModels.RecordsJson(records)[1..^1]; // "records":[...]
        await App.SendAsync(App.Clients.ScoreRequests, $"{{\"batchId\":\"inline-1\",\"modelId\":\"{ReadyModelFixture.ModelId}\",{body}}}");

        var result = await ResultAsync("inline-1");
        var summary = await SummaryAsync("inline-1");

        Assert.Equal(10, result.GetProperty("verdicts").GetArrayLength());
        Assert.Equal(await VerdictsFromHttpAsync(records), result.GetProperty("verdicts").ToString());
        Assert.Equal(result.GetProperty("summary").GetProperty("oodRecords").GetInt32(), summary.GetProperty("oodRecords").GetInt32());
        Assert.Equal((10, 1, $"{App.Names.Results}/inline-1.json"),
            (summary.GetProperty("records").GetInt32(), summary.GetProperty("modelVersion").GetInt32(), summary.GetProperty("resultsBlob").GetString()));
    }

    [Fact]
    public async Task Records_in_a_blob_are_scored_the_same_way()
    {
        var records = TestModels.Probe(12);
        var inbox = App.Clients.Blobs.GetBlobContainerClient(App.Names.Prefix + "-inbox");
        await inbox.CreateIfNotExistsAsync();
        await inbox.GetBlobClient("batches/b.npy").UploadAsync(new BinaryData(TestModels.Npy(records)), overwrite: true);

        await App.SendAsync(App.Clients.ScoreRequests, $"{{\"batchId\":\"blob-1\",\"modelId\":\"{ReadyModelFixture.ModelId}\",\"recordsBlob\":\"{inbox.Name}/batches/b.npy\"}}");

        var result = await ResultAsync("blob-1");
        Assert.Equal(await VerdictsFromHttpAsync(records), result.GetProperty("verdicts").ToString());
        Assert.Equal(12, (await SummaryAsync("blob-1")).GetProperty("records").GetInt32());
    }

    [Fact]
    public async Task A_redelivered_request_reuses_its_result_and_a_reused_batch_id_is_refused()
    {
        var message = $"{{\"batchId\":\"once\",\"modelId\":\"{ReadyModelFixture.ModelId}\",{TestModels.RecordsJson(TestModels.Probe(3))[1..^1]}}}";
        await App.SendAsync(App.Clients.ScoreRequests, message);
        await ResultAsync("once");
        var blob = App.Clients.Results.GetBlobClient("once.json");
        var first = (await blob.GetPropertiesAsync()).Value.ETag;

        // The same request again (as after a lost acknowledgement): answered from the stored result.
        await App.SendAsync(App.Clients.ScoreRequests, message);
        await Eventually.UntilAsync(() => Task.FromResult(App.Logs.Contains(LogLevel.Information, "Batch once: already scored")), "the redelivery to be handled");
        Assert.Equal(first, (await blob.GetPropertiesAsync()).Value.ETag);

        // Different records under the same batch id: never overwrites; rejected once with the reason, not retried.
        var conflicting = $"{{\"batchId\":\"once\",\"modelId\":\"{ReadyModelFixture.ModelId}\",{TestModels.RecordsJson(TestModels.Probe(4))[1..^1]}}}";
        await App.SendAsync(App.Clients.ScoreRequests, conflicting);
        var rejection = await RejectionAsync("once");
        Assert.Equal(("https://neuralfp.dev/problems/batch-conflict", 409), (rejection.GetProperty("type").GetString(), rejection.GetProperty("status").GetInt32()));
        Assert.Contains("Batch 'once' already has results", rejection.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(first, (await blob.GetPropertiesAsync()).Value.ETag);
        Assert.DoesNotContain(conflicting, await TestApp.PeekAllAsync(App.Clients.ScoreRequestsPoison));
    }

    [Fact]
    public async Task Records_of_the_wrong_shape_are_rejected_once_and_the_batch_id_stays_free_for_the_corrected_request()
    {
        // 28x28 values per record for a [1,28,28] model, but as [N, 784 + 1]: one value too many.
        var wrong = $"{{\"batchId\":\"fix-me\",\"modelId\":\"{ReadyModelFixture.ModelId}\",\"records\":[[{string.Join(',', Enumerable.Repeat("0.5", 785))}]]}}";
        await App.SendAsync(App.Clients.ScoreRequests, wrong);

        var problem = await RejectionAsync("fix-me");
        Assert.Equal(("https://neuralfp.dev/problems/invalid-records", 400), (problem.GetProperty("type").GetString(), problem.GetProperty("status").GetInt32()));
        Assert.False(await App.Clients.Results.GetBlobClient("fix-me.json").ExistsAsync());

        // The same batch id with records of the right shape is scored: a rejection does not claim the id.
        var records = TestModels.Probe(2);
        await App.SendAsync(App.Clients.ScoreRequests, $"{{\"batchId\":\"fix-me\",\"modelId\":\"{ReadyModelFixture.ModelId}\",{TestModels.RecordsJson(records)[1..^1]}}}");
        Assert.Equal(2, (await ResultAsync("fix-me")).GetProperty("verdicts").GetArrayLength());
        Assert.Equal("scored", (await SummaryAsync("fix-me")).GetProperty("status").GetString());
    }

    /// <summary>The problem of the rejection on score-results for <paramref name="batchId"/>.</summary>
    private async Task<JsonElement> RejectionAsync(string batchId)
    {
        var text = await Eventually.WaitAsync(async () => (await TestApp.PeekAllAsync(App.Clients.ScoreResults))
            .FirstOrDefault(m => m.Contains($"\"batchId\":\"{batchId}\"", StringComparison.Ordinal) && m.Contains("\"status\":\"rejected\"", StringComparison.Ordinal)),
            $"the rejection of {batchId}");
        return JsonDocument.Parse(text).RootElement.GetProperty("problem").Clone();
    }
}
