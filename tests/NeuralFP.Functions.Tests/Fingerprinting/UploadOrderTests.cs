using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Application.Registry;

namespace NeuralFP.Functions.Tests.Fingerprinting;

/// <summary>Whichever of model.onnx and reference.npy lands last starts fingerprinting; the service then answers as the engine does.</summary>
public sealed class UploadOrderTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("model-first", false)]
    [InlineData("reference-first", true)]
    public async Task Both_upload_orders_reach_ready_and_verdicts_match_the_engine(string modelId, bool referenceFirst)
    {
        var model = TestModels.Cnn;
        var reference = TestModels.Reference();
        await TestModels.UploadAsync(_app, modelId, model, reference, referenceFirst);

        var ready = await _app.WaitForStatusAsync(modelId, ModelStatus.Ready);

        Assert.Equal(1, ready.CurrentVersion);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(model)), ready.CurrentHashes!.Model);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(TestModels.Npy(reference))), ready.CurrentHashes.Reference);
        Assert.NotEmpty(ready.Layers);
        Assert.Equal([1, 28, 28], ready.InputShape!);
        Assert.Equal(TestModels.ReferenceRecords, ready.Calibration!.ReferenceRecords);
        Assert.Equal(0.05, ready.Calibration.TargetFpr);

        var probe = TestModels.Probe(24);
        var response = await _app.Http.PostAsync($"api/models/{modelId}/verdicts?detail=layers", new StringContent(TestModels.RecordsJson(probe), Encoding.UTF8, "application/json"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        Assert.Equal(1, body.GetProperty("modelVersion").GetInt32());

        using var direct = await TestModels.DirectScorerAsync(model, reference);
        var expected = direct.Score(probe);
        var actual = body.GetProperty("verdicts");
        Assert.Equal(expected.Count, actual.GetArrayLength());
        for (var i = 0; i < expected.Count; i++)
        {
            var verdict = actual[i];
            Assert.Equal(expected[i].Ood, verdict.GetProperty("ood").GetBoolean());
            Assert.Equal(expected[i].PredictedClass, verdict.GetProperty("predictedClass").GetInt32());
            Assert.Equal(expected[i].Score, verdict.GetProperty("score").GetDouble(), 9);
            Assert.Equal(expected[i].Layers.Count, verdict.GetProperty("layers").GetArrayLength());
            for (var l = 0; l < expected[i].Layers.Count; l++)
                Assert.Equal(expected[i].Layers[l].Error, verdict.GetProperty("layers")[l].GetProperty("error").GetSingle(), 9); // a float32 on the wire
        }
    }

    [Fact]
    public async Task Npy_and_json_bodies_give_the_same_verdicts_with_every_documented_field()
    {
        await TestModels.UploadAsync(_app, "bodies", TestModels.Cnn, TestModels.Reference());
        await _app.WaitForStatusAsync("bodies", ModelStatus.Ready);
        var probe = TestModels.Probe(8);

        var json = await _app.Http.PostAsync("api/models/bodies/verdicts", new StringContent(TestModels.RecordsJson(probe), Encoding.UTF8, "application/json"));
        var npyContent = new ByteArrayContent(TestModels.Npy(probe));
        npyContent.Headers.ContentType = new MediaTypeHeaderValue("application/x-npy");
        var npy = await _app.Http.PostAsync("api/models/bodies/verdicts", npyContent);

        var fromJson = JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement.GetProperty("verdicts");
        var fromNpy = JsonDocument.Parse(await npy.Content.ReadAsStringAsync()).RootElement.GetProperty("verdicts");
        Assert.Equal(fromJson.ToString(), fromNpy.ToString());
        var first = fromJson[0];
        foreach (var field in new[] { "ood", "score", "pValue", "predictedClass", "maxProbability", "decidingLayer" })
            Assert.True(first.TryGetProperty(field, out _), $"verdict lacks {field}");
    }
}
