using System.Net;
using System.Text;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;

namespace NeuralFP.Functions.Tests.Fingerprinting;

/// <summary>Inputs that cannot be fingerprinted leave the model failed with a reason, nothing current, and no artifact.</summary>
public sealed class BadUploadTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<ModelRecord> FailAsync(string modelId, byte[] model, byte[] reference)
    {
        await _app.UploadAsync(modelId, ModelFiles.Options, TestModels.OptionsJson);
        await _app.UploadAsync(modelId, ModelFiles.Model, model);
        await _app.UploadAsync(modelId, ModelFiles.Reference, reference);
        var failed = await _app.WaitForStatusAsync(modelId, ModelStatus.Failed);
        Assert.Null(failed.CurrentVersion);
        Assert.True(failed.FailureIsPermanent);
        await foreach (var _ in _app.Clients.Fingerprints.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, modelId + "/", CancellationToken.None))
            Assert.Fail($"{modelId} has fingerprint files although its build failed.");
        var response = await _app.Http.PostAsync($"api/models/{modelId}/verdicts", new StringContent("{\"records\":[[1]]}", Encoding.UTF8, "application/json"));
        await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict, "failed", failed.FailureReason!);
        return failed;
    }

    [Fact]
    public async Task A_file_that_is_not_onnx_fails_with_a_reason_about_the_model()
    {
        var failed = await FailAsync("not-onnx", Encoding.UTF8.GetBytes("this is not a protobuf model"), TestModels.Npy(TestModels.Reference()));
        Assert.StartsWith("model.onnx:", failed.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_onnx_with_external_data_fails_with_a_reason_naming_it()
    {
        var failed = await FailAsync("external", TestModels.ExternalDataModel, TestModels.Npy(TestModels.Reference()));
        Assert.Contains("external data", failed.FailureReason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_truncated_reference_fails_and_a_good_one_recovers()
    {
        var good = TestModels.Npy(TestModels.Reference());
        var failed = await FailAsync("truncated", TestModels.Cnn, good[..(good.Length / 2)]);
        Assert.StartsWith("reference.npy:", failed.FailureReason, StringComparison.Ordinal);

        await _app.UploadAsync("truncated", ModelFiles.Reference, good);
        var ready = await _app.WaitForStatusAsync("truncated", ModelStatus.Ready);
        Assert.Equal((2, 2), (ready.CurrentVersion, ready.LatestVersion));
        Assert.Null(ready.FailureReason);
    }

    [Fact]
    public async Task A_reference_of_the_wrong_shape_fails_saying_it_does_not_fit()
    {
        var wrong = new Core.Tensors.FloatTensor(new float[200 * 10], [200, 10]);
        var failed = await FailAsync("wrong-shape", TestModels.Cnn, TestModels.Npy(wrong));
        Assert.StartsWith("reference.npy does not fit the model", failed.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_options_fail_naming_the_options_file()
    {
        await _app.UploadAsync("bad-options", ModelFiles.Options, Encoding.UTF8.GetBytes("{\"targetFpr\": 2}"));
        await _app.UploadAsync("bad-options", ModelFiles.Model, TestModels.Cnn);
        await _app.UploadAsync("bad-options", ModelFiles.Reference, TestModels.Npy(TestModels.Reference()));
        var failed = await _app.WaitForStatusAsync("bad-options", ModelStatus.Failed);
        Assert.StartsWith("fingerprint.json", failed.FailureReason, StringComparison.Ordinal);
        Assert.Contains("TargetFpr", failed.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_constant_reference_fails_once_as_permanent_with_one_version()
    {
        var ones = new float[200 * 784];
        Array.Fill(ones, 1f);
        var failed = await FailAsync("constant", TestModels.Cnn, TestModels.Npy(new Core.Tensors.FloatTensor(ones, [200, 1, 28, 28])));
        Assert.Contains("identical", failed.FailureReason, StringComparison.Ordinal);
        Assert.Equal(1, failed.LatestVersion);
    }

    [Fact]
    public async Task A_pooling_over_the_feature_limit_fails_once_as_permanent_naming_the_limit()
    {
        await _app.UploadAsync("huge-pooling", ModelFiles.Options, Encoding.UTF8.GetBytes("{\"pooling\": \"46341x46341\"}"));
        await _app.UploadAsync("huge-pooling", ModelFiles.Model, TestModels.Cnn);
        await _app.UploadAsync("huge-pooling", ModelFiles.Reference, TestModels.Npy(TestModels.Reference()));
        var failed = await _app.WaitForStatusAsync("huge-pooling", ModelStatus.Failed);
        Assert.True(failed.FailureIsPermanent);
        Assert.Equal(1, failed.LatestVersion);
        Assert.Contains("NeuralFP__Limits__MaxFeaturesPerLayer", failed.FailureReason, StringComparison.Ordinal);
    }
}
