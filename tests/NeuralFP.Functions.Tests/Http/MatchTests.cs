using System.Text;
using System.Text.Json;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Application.Registry;
using NeuralFP.TestData;

namespace NeuralFP.Functions.Tests.Http;

/// <summary>POST /api/match ranks the ready models; a batch drawn from one model's training classes ranks that model first.</summary>
public sealed class MatchTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync();
        var train = FashionMnist.Train();
        await TestModels.UploadAsync(_app, "lower", File.ReadAllBytes(RepoPaths.Model("fmnist_0to4_cnn.onnx")), train.WhereClass(0, 4).Take(TestModels.ReferenceRecords).Images);
        await TestModels.UploadAsync(_app, "upper", File.ReadAllBytes(RepoPaths.Model("fmnist_5to9_cnn.onnx")), train.WhereClass(5, 9).Take(TestModels.ReferenceRecords).Images);
        await _app.WaitForStatusAsync("lower", ModelStatus.Ready);
        await _app.WaitForStatusAsync("upper", ModelStatus.Ready);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(0, 4, "lower")]
    [InlineData(5, 9, "upper")]
    public async Task The_model_trained_on_the_batch_domain_ranks_first(int fromClass, int toClass, string expected)
    {
        var batch = FashionMnist.Test().WhereClass(fromClass, toClass).Take(64).Images;
        var response = await _app.Http.PostAsync("api/match", new StringContent(TestModels.RecordsJson(batch), Encoding.UTF8, "application/json"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.IsSuccessStatusCode, body.ToString());

        var matches = body.GetProperty("matches");
        Assert.Equal(2, matches.GetArrayLength());
        Assert.Equal((expected, 1), (matches[0].GetProperty("modelId").GetString(), matches[0].GetProperty("rank").GetInt32()));
        Assert.True(matches[0].GetProperty("score").GetDouble() >= matches[1].GetProperty("score").GetDouble());
        Assert.Equal(64, body.GetProperty("records").GetInt32());
        Assert.Equal(0, body.GetProperty("skipped").GetArrayLength());
    }

    [Fact]
    public async Task Records_that_fit_no_model_are_400_with_each_reason()
    {
        var response = await _app.Http.PostAsync("api/match", new StringContent("{\"records\":[[1,2,3]]}", Encoding.UTF8, "application/json"));
        await Problems.AssertProblemAsync(response, System.Net.HttpStatusCode.BadRequest, "lower:", "upper:");
    }
}
