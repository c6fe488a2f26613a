using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Registry;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Fingerprinting;

/// <summary>
/// <c>unseenFrom</c> in an upload's <c>fingerprint.json</c>, through the real worker: a build calibrated on the records the
/// model did not train on says so in the model view; too few such records fail once, as permanent, naming the option.
/// </summary>
public sealed class UnseenCalibrationUploadTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task UploadAsync(string modelId, int unseenFrom)
    {
        await _app.UploadAsync(modelId, ModelFiles.Options, JsonSerializer.SerializeToUtf8Bytes(TestModels.Options with { UnseenFrom = unseenFrom }, FingerprintJson.Options));
        await _app.UploadAsync(modelId, ModelFiles.Model, TestModels.Cnn);
        await _app.UploadAsync(modelId, ModelFiles.Reference, TestModels.Npy(TestModels.Reference()));
    }

    [Fact]
    public async Task A_build_calibrated_on_unseen_records_says_so_in_the_model_view()
    {
        await UploadAsync("unseen-tail", TestModels.ReferenceRecords - 200);
        await _app.WaitForStatusAsync("unseen-tail", ModelStatus.Ready);

        var view = await _app.Http.GetFromJsonAsync<JsonElement>("api/models/unseen-tail");
        var calibration = view.GetProperty("calibration");

        Assert.Equal(TestModels.ReferenceRecords - 200, calibration.GetProperty("unseenFrom").GetInt32());
        Assert.Equal(200, calibration.GetProperty("heldOutRecords").GetInt32());
        Assert.Equal(TestModels.ReferenceRecords - 200, calibration.GetProperty("trainRecords").GetInt32());
    }

    [Fact]
    public async Task Too_few_unseen_records_fail_once_as_permanent_naming_the_option()
    {
        await UploadAsync("unseen-short", TestModels.ReferenceRecords - 40);
        var failed = await _app.WaitForStatusAsync("unseen-short", ModelStatus.Failed);

        Assert.True(failed.FailureIsPermanent);
        Assert.Equal(1, failed.LatestVersion);
        Assert.Null(failed.CurrentVersion);
        Assert.StartsWith("reference.npy: unseenFrom is 560", failed.FailureReason, StringComparison.Ordinal);
        Assert.Contains("40 are unseen", failed.FailureReason, StringComparison.Ordinal);
    }
}
