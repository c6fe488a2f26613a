using System.Net;
using System.Text.Json;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Registry;
using NeuralFP.Client;
using NeuralFP.Contracts;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Edge;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.TestData;

namespace NeuralFP.Functions.Tests.Client;

/// <summary>
/// The typed client against the running app, every endpoint. The model's fingerprint names the input among its layers,
/// so explanations carry input features.
/// </summary>
public sealed class ClientTests(ClientTests.Fixture fixture) : IClassFixture<ClientTests.Fixture>
{
    private const string ModelId = "cnn";
    private const int Side = FashionMnist.Side;

    public sealed class Fixture : IAsyncLifetime
    {
        public TestApp App { get; private set; } = null!;
        public NeuralFpClient Client { get; private set; } = null!;
        public NeuralFpClient JsonClient { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            App = await TestApp.StartAsync();
            var options = TestModels.Options with { Layers = ["input", "/8/Relu_output_0"] };
            await App.UploadAsync(ModelId, ModelFiles.Options, JsonSerializer.SerializeToUtf8Bytes(options, FingerprintJson.Options));
            await App.UploadAsync(ModelId, ModelFiles.Model, TestModels.Cnn);
            await App.UploadAsync(ModelId, ModelFiles.Reference, TestModels.Npy(TestModels.Reference()));
            await App.WaitForStatusAsync(ModelId, ModelStatus.Ready);
            // The app's checked clients: every response the typed client receives is also checked against the OpenAPI document.
            Client = new NeuralFpClient(App.NewHttpClient());
            JsonClient = new NeuralFpClient(App.NewHttpClient(), new NeuralFpClientOptions { RecordsFormat = RecordsFormat.Json });
        }

        public async Task DisposeAsync()
        {
            Client.Dispose();
            JsonClient.Dispose();
            await App.DisposeAsync();
        }
    }

    private NeuralFpClient Client => fixture.Client;

    [Fact]
    public async Task Verdicts_are_the_same_sent_as_npy_or_json()
    {
        var records = TestModels.Probe(20);
        var npy = await Client.GetVerdictsAsync(ModelId, records);
        var json = await fixture.JsonClient.GetVerdictsAsync(ModelId, records);
        Assert.Equal((ModelId, 20), (npy.ModelId, npy.Records));
        Assert.Equal(npy.Verdicts.Count(v => v.Ood), npy.OodRecords);
        Assert.Equal(npy.Verdicts.Select(v => (v.Ood, v.Score, v.PredictedClass)), json.Verdicts.Select(v => (v.Ood, v.Score, v.PredictedClass)));
        Assert.Null(npy.Explanations);
    }

    [Fact]
    public async Task Explanations_name_the_deciding_layer_and_the_pixels_of_a_pasted_square()
    {
        var image = (float[])TestModels.Probe(1).Data.Clone();
        // A bright 6x6 square on the top-left background (Fashion-MNIST items are centred).
        for (var y = 1; y < 7; y++)
            for (var x = 1; x < 7; x++) image[y * Side + x] = 1f;
        var records = new FloatTensor(image, [1, 1, Side, Side]);
        var response = await Client.GetVerdictsAsync(ModelId, records, new VerdictsOptions { Explain = true, Top = 5, Layers = true });
        var explanation = Assert.Single(response.Explanations!);
        var verdict = response.ToVerdicts()[0];
        Assert.True(verdict.Ood);
        Assert.Equal(verdict.Layers.Where(l => l.Fired).MinBy(l => l.PValue)!.Layer, explanation.DecidingLayer);
        Assert.Equal(explanation.DecidingLayer, response.Verdicts[0].DecidingLayer);
        var input = explanation.Input!;
        Assert.Equal("input", input.Layer);
        Assert.Equal(5, input.TopFeatures.Count);
        var top = input.TopFeatures[0];
        Assert.InRange(top.Position[1], 1, 6);
        Assert.InRange(top.Position[2], 1, 6);
        Assert.Equal(Side, input.Heatmap!.Length);
        Assert.Equal(Side, input.Heatmap[0].Length);
    }

    [Fact]
    public async Task Problems_surface_as_typed_exceptions_with_status_type_title_and_detail()
    {
        var records = TestModels.Probe(2);
        var unknown = await Assert.ThrowsAsync<NeuralFpRequestException>(() => Client.GetVerdictsAsync("no-such-model", records));
        Assert.Equal((HttpStatusCode.NotFound, "unknown-model"), (unknown.Status, unknown.ProblemCode));
        Assert.Contains("no-such-model", unknown.Detail);
        Assert.Equal("Unknown model", unknown.Title);

        var badTop = await Assert.ThrowsAsync<NeuralFpRequestException>(() => Client.GetVerdictsAsync(ModelId, records, new VerdictsOptions { Explain = true, Top = 0 }));
        Assert.Equal(HttpStatusCode.BadRequest, badTop.Status);
        Assert.Contains("top", badTop.Detail);

        var detector = await Assert.ThrowsAsync<NeuralFpRequestException>(() => Client.GetDetectorVerdictsAsync(ModelId, "no-such-detector", records));
        Assert.Equal((HttpStatusCode.BadRequest, "unknown-detector"), (detector.Status, detector.ProblemCode));
        Assert.Contains("fingerprint", detector.Extensions["available"].EnumerateArray().Select(e => e.GetString()));

        var shape = await Assert.ThrowsAsync<NeuralFpRequestException>(() => Client.GetVerdictsAsync(ModelId, new FloatTensor(new float[10], [1, 10])));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-records"), (shape.Status, shape.ProblemCode));
    }

    [Fact]
    public async Task Models_model_drift_match_report_health_and_openapi()
    {
        var models = await Client.GetModelsAsync();
        var model = Assert.Single(models, m => m.ModelId == ModelId);
        Assert.Equal("ready", model.Status);
        var one = await Client.GetModelAsync(ModelId);
        Assert.Equal(model.CurrentVersion, one.CurrentVersion);
        Assert.Equal(["input", "/8/Relu_output_0"], one.Layers);
        Assert.Equal(64, one.Hashes!.Model.Length);
        // The model lists its fitted detectors, and each name is one the verdicts endpoint accepts.
        Assert.NotEmpty(one.Detectors);
        var byDetector = await Client.GetDetectorVerdictsAsync(ModelId, one.Detectors[0], TestModels.Probe(3));
        Assert.Equal(one.Detectors[0], byDetector.Detector);
        // Its own threshold's interval on new data, from the held-out records that set it (not the fingerprint's).
        var detectorNewData = byDetector.NewDataFpr!;
        Assert.InRange(detectorNewData.CalibrationRecords, 1, one.Calibration!.HeldOutRecords);
        Assert.True(detectorNewData.Low < byDetector.TargetFpr && byDetector.TargetFpr < detectorNewData.High, $"{detectorNewData}");
        // The model view summarises every detector as the build recorded it, with the same interval the detector answers with.
        var summaries = one.DetectorSummaries!;
        Assert.Equal(one.Detectors, summaries.Select(d => d.Name));
        Assert.Equal(detectorNewData, summaries[0].NewDataFpr);
        Assert.All(summaries, d => Assert.NotNull(d.NewDataFpr));
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<NeuralFpRequestException>(() => Client.GetModelAsync("nobody"))).Status);

        var drift = await Client.GetDriftAsync(ModelId);
        Assert.Equal((ModelId, one.CurrentVersion!.Value), (drift.ModelId, drift.ModelVersion));
        Assert.Equal(one.Calibration!.TargetFpr, drift.ExpectedRate);
        // The model view says how far the realised rate on new data may stray, from its held-out records.
        var newData = one.Calibration.NewDataFpr!;
        Assert.Equal(one.Calibration.HeldOutRecords, newData.CalibrationRecords);
        Assert.True(newData.Low < one.Calibration.TargetFpr && one.Calibration.TargetFpr < newData.High, $"{newData}");
        // And how well the fingerprint saw the build's shifted calibration records, as the worker's build recorded it.
        Assert.Equal(["blur", "low contrast", "occlusion", "additive noise"], one.SelfCheck!.Shifts.Select(s => s.Shift));
        Assert.All(one.SelfCheck.Shifts, s => Assert.InRange(s.Auroc, 0, 1));
        Assert.Equal(Math.Min(256, one.Calibration.HeldOutRecords), one.SelfCheck.Records);

        var match = await Client.MatchAsync(TestModels.Probe(32));
        Assert.Equal(32, match.Records);
        Assert.Equal(ModelId, match.Matches[0].ModelId);

        Assert.Contains("<html", await Client.GetReportAsync(ModelId), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("client batch", await Client.GetReportAsync(ModelId, TestModels.Probe(4), label: "client batch"));

        var health = await Client.GetHealthAsync();
        Assert.True(health.IsHealthy());

        using var openApi = await Client.GetOpenApiDocumentAsync();
        Assert.True(openApi.RootElement.GetProperty("paths").TryGetProperty("/api/models/{modelId}/fingerprint", out _));
    }

    [Fact]
    public async Task The_fingerprint_download_loads_in_the_edge_library_and_is_not_modified_with_its_etag()
    {
        string etag;
        await using (var download = await Client.DownloadFingerprintAsync(ModelId))
        {
            Assert.False(download.NotModified);
            etag = download.ETag!;
            var fingerprint = await EdgeFingerprint.LoadAsync(download.Content!, TestModels.Cnn);
            Assert.Equal((download.Version, download.ModelSha256), (fingerprint.Version, fingerprint.ModelSha256));
        }
        await using var again = await Client.DownloadFingerprintAsync(ModelId, etag);
        Assert.True(again.NotModified);
        Assert.Null(again.Content);
        Assert.Equal(etag, again.ETag);
    }
}
