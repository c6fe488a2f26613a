using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;

namespace NeuralFP.Functions.Tests.Fingerprinting;

/// <summary>Re-uploading the same bytes does nothing; new bytes make a new version, which becomes current only once fully written.</summary>
public sealed class VersioningTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<IReadOnlyList<string>> FingerprintBlobsAsync(string modelId)
    {
        var names = new List<string>();
        await foreach (var blob in _app.Clients.Fingerprints.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, modelId + "/", CancellationToken.None)) names.Add(blob.Name);
        return names;
    }

    [Fact]
    public async Task Same_content_again_is_a_no_op_and_new_content_is_version_two()
    {
        var reference = TestModels.Reference();
        await TestModels.UploadAsync(_app, "versions", TestModels.Cnn, reference);
        var first = await _app.WaitForStatusAsync("versions", ModelStatus.Ready);
        // The build's progress is in the log under its version: what an operator reads when a build is slow or loose.
        Assert.True(_app.Logs.Contains(LogLevel.Information, "Model versions: version 1: Phases: setup", "autoencoders"), "no phases line for version 1");
        Assert.True(_app.Logs.Contains(LogLevel.Information, "Model versions: version 1: Layer input: 784 features, autoencoder"), "no per-layer line for version 1");

        // Same bytes, new ETag: the trigger fires and the job finds nothing to do.
        await _app.UploadAsync("versions", ModelFiles.Reference, TestModels.Npy(reference));
        await Eventually.UntilAsync(() => Task.FromResult(_app.Logs.Contains(LogLevel.Information, "FingerprintModel versions (reference.npy): Unchanged")), "the re-upload to be seen");
        var unchanged = await _app.Registry.GetAsync("versions", CancellationToken.None);
        Assert.Equal((1, 1, ModelStatus.Ready), (unchanged!.CurrentVersion, unchanged.LatestVersion, unchanged.Status));
        Assert.Equal(first.ReadyAt, unchanged.ReadyAt);

        await _app.UploadAsync("versions", ModelFiles.Reference, TestModels.Npy(TestModels.Reference(skip: 600)));
        var second = await _app.WaitForStatusAsync("versions", ModelStatus.Ready, r => r.CurrentVersion == 2);

        Assert.NotEqual(first.CurrentHashes!.Reference, second.CurrentHashes!.Reference);
        Assert.True(_app.Logs.Contains(LogLevel.Information, "Model versions: version 2: Fingerprint built in"), "no summary line for version 2");
        var blobs = await FingerprintBlobsAsync("versions");
        Assert.Contains(IFingerprintStore.Prefix("versions", 1) + "fingerprint.json", blobs);
        Assert.Contains(IFingerprintStore.Prefix("versions", 2) + "scorer.onnx", blobs);
        var response = await _app.Http.PostAsync("api/models/versions/verdicts", new StringContent(TestModels.RecordsJson(TestModels.Probe(2)), Encoding.UTF8, "application/json"));
        Assert.Equal(2, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("modelVersion").GetInt32());
        var view = JsonDocument.Parse(await _app.Http.GetStringAsync("api/models/versions")).RootElement;
        Assert.Equal(("ready", 2), (view.GetProperty("status").GetString(), view.GetProperty("currentVersion").GetInt32()));
    }

    [Fact]
    public async Task A_failed_rebuild_keeps_the_last_good_version_serving_until_good_content_returns()
    {
        var model = TestModels.Cnn;
        await TestModels.UploadAsync(_app, "resilient", model, TestModels.Reference());
        await _app.WaitForStatusAsync("resilient", ModelStatus.Ready);

        await _app.UploadAsync("resilient", ModelFiles.Model, Encoding.UTF8.GetBytes("not a model"));
        var failed = await _app.WaitForStatusAsync("resilient", ModelStatus.Failed);
        Assert.Equal((1, 2), (failed.CurrentVersion, failed.LatestVersion));
        Assert.StartsWith("model.onnx:", failed.FailureReason, StringComparison.Ordinal);
        Assert.DoesNotContain(IFingerprintStore.Prefix("resilient", 2) + "scorer.onnx", await FingerprintBlobsAsync("resilient"));
        var response = await _app.Http.PostAsync("api/models/resilient/verdicts", new StringContent(TestModels.RecordsJson(TestModels.Probe(2)), Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(1, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("modelVersion").GetInt32());

        // Putting the good model back matches the current version's hashes: ready again, nothing rebuilt.
        await _app.UploadAsync("resilient", ModelFiles.Model, model);
        var restored = await _app.WaitForStatusAsync("resilient", ModelStatus.Ready);
        Assert.Equal((1, 2), (restored.CurrentVersion, restored.LatestVersion));
        Assert.Null(restored.FailureReason);
    }

    [Fact]
    public async Task An_artifact_this_build_cannot_read_is_409_and_the_next_trigger_rebuilds_it()
    {
        var reference = TestModels.Reference();
        await TestModels.UploadAsync(_app, "old-format", TestModels.Cnn, reference);
        await _app.WaitForStatusAsync("old-format", ModelStatus.Ready);
        // As if written by an engine whose manifest this build no longer understands.
        await _app.Clients.Fingerprints.GetBlobClient(IFingerprintStore.Prefix("old-format", 1) + "fingerprint.json")
            .UploadAsync(new BinaryData("{\"formatVersion\": 1}"), overwrite: true);

        var response = await _app.Http.PostAsync("api/models/old-format/verdicts", new StringContent(TestModels.RecordsJson(TestModels.Probe(2)), Encoding.UTF8, "application/json"));
        var problem = await Problems.AssertProblemAsync(response, System.Net.HttpStatusCode.Conflict, "version 1 cannot be read", "Upload model.onnx or reference.npy again");
        Assert.Equal("https://neuralfp.dev/problems/fingerprint-unreadable", problem.GetProperty("type").GetString());

        await _app.UploadAsync("old-format", ModelFiles.Reference, TestModels.Npy(reference));
        await _app.WaitForStatusAsync("old-format", ModelStatus.Ready, r => r.CurrentVersion == 2);
        var retried = await _app.Http.PostAsync("api/models/old-format/verdicts", new StringContent(TestModels.RecordsJson(TestModels.Probe(2)), Encoding.UTF8, "application/json"));
        Assert.True(retried.IsSuccessStatusCode, await retried.Content.ReadAsStringAsync());
    }
}
