using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Contract;

/// <summary>A successful queue invocation returns the summary as the output binding the host writes to score-results.</summary>
public sealed class ScoreBatchInvocationTests(ReadyModelFixture fixture) : IClassFixture<ReadyModelFixture>
{
    [Fact]
    public async Task Successful_queue_invocation_returns_the_summary_output_and_return_value()
    {
        var message = $"{{\"batchId\":\"contract-ok\",\"modelId\":\"{ReadyModelFixture.ModelId}\",{TestModels.RecordsJson(TestModels.Probe(5))[1..^1]}}}";
        var payload = new JsonObject
        {
            ["Data"] = new JsonObject { ["request"] = CustomHandlerContractTests.Twice(message) },
            ["Metadata"] = new JsonObject { ["DequeueCount"] = 1, ["Id"] = CustomHandlerContractTests.Twice("m-ok") },
        }.ToJsonString();

        var response = await fixture.App.Http.PostAsync("ScoreBatch", new StringContent(payload, Encoding.UTF8, "application/json"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = JsonDocument.Parse(body.GetProperty("Outputs").GetProperty("summary").GetString()!).RootElement;
        Assert.Equal(("contract-ok", 5), (summary.GetProperty("batchId").GetString(), summary.GetProperty("records").GetInt32()));
        Assert.Equal(5, body.GetProperty("ReturnValue").GetProperty("records").GetInt32());
        Assert.True(await fixture.App.Clients.Results.GetBlobClient("contract-ok.json").ExistsAsync());
    }
}
