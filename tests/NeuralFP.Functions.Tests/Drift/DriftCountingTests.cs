using System.Net;
using System.Text;
using System.Text.Json;
using NeuralFP.Core.Tensors;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;

namespace NeuralFP.Functions.Tests.Drift;

/// <summary>
/// Every fingerprint verdict is counted once in the model's drift window: concurrent requests (optimistic writes that
/// collide and retry) lose none, queued batches count too, detector verdicts do not; the endpoint's errors are
/// problem+json like the others'.
/// </summary>
public sealed class DriftCountingTests(DriftFixture fixture) : IClassFixture<DriftFixture>
{
    private TestApp App => fixture.App;

    private async Task<long> TotalAsync(string modelId)
        => JsonDocument.Parse(await App.Http.GetStringAsync($"api/models/{modelId}/drift")).RootElement.GetProperty("totalRecords").GetInt64();

    private static StringContent Body(int skip, int count)
        => new(TestModels.RecordsJson(TestModels.Probe(skip + count).Slice(skip, count)), Encoding.UTF8, "application/json");

    [Fact]
    public async Task Concurrent_requests_lose_no_outcomes()
    {
        const int requests = 12, perRequest = 5;
        var before = await TotalAsync(DriftFixture.SteadyModel);

        var responses = await Task.WhenAll(Enumerable.Range(0, requests).Select(i =>
            App.Http.PostAsync($"api/models/{DriftFixture.SteadyModel}/verdicts", Body(i * perRequest, perRequest))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(before + requests * perRequest, await TotalAsync(DriftFixture.SteadyModel));
    }

    [Fact]
    public async Task Queued_batches_count_and_detector_verdicts_do_not()
    {
        var before = await TotalAsync(DriftFixture.SteadyModel);

        var detector = await App.Http.PostAsync($"api/models/{DriftFixture.SteadyModel}/verdicts?detector=energy", Body(0, 7));
        Assert.Equal(HttpStatusCode.OK, detector.StatusCode);
        Assert.Equal(before, await TotalAsync(DriftFixture.SteadyModel));

        var records = TestModels.RecordsJson(TestModels.Probe(9))[1..^1];
        await App.SendAsync(App.Clients.ScoreRequests, $"{{\"batchId\":\"drift-batch\",\"modelId\":\"{DriftFixture.SteadyModel}\",{records}}}");
        await Eventually.UntilAsync(async () => await TotalAsync(DriftFixture.SteadyModel) == before + 9, "the queued batch to reach the drift window");
    }

    [Fact]
    public async Task Unknown_and_not_ready_models_are_404_and_409()
    {
        await Problems.AssertProblemAsync(await App.Http.GetAsync("api/models/nobody/drift"), HttpStatusCode.NotFound, "nobody");

        await App.UploadAsync("half", ModelFiles.Model, TestModels.Cnn);
        await App.WaitForStatusAsync("half", ModelStatus.Pending);
        var problem = await Problems.AssertProblemAsync(await App.Http.GetAsync("api/models/half/drift"), HttpStatusCode.Conflict);
        Assert.Equal("pending", problem.GetProperty("modelStatus").GetString());
    }
}
