using global::Azure.Storage.Blobs.Models;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Registry;
using NeuralFP.Functions.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NeuralFP.Functions.Tests.Fingerprinting;

/// <summary>
/// A failing model does not hold up anyone else's build (issue 10: a good model uploaded 3 s after a failing one used
/// to wait 288 s behind its back-off). The host looks for uploads every second, as under run-local, so a failure that
/// the host retries backs off 1, 2, 4 and 8 s. The same good model is built alone and beside two failing ones in one
/// run, and the wait before its build starts is compared in host poll cycles: no absolute timing.
/// </summary>
public sealed class FailingNeighbourTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(blobPollInterval: Poll);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_good_model_beside_a_permanent_and_a_retried_failure_starts_building_as_soon_as_alone()
    {
        var alone = await BuildGoodModelAsync("good-alone");

        // Permanent: a constant reference, which the user must change (failed at once, one version, no retry).
        var ones = new float[200 * 28 * 28];
        Array.Fill(ones, 1f);
        await TestModels.UploadAsync(_app, "bad-constant", TestModels.Cnn, new Core.Tensors.FloatTensor(ones, [200, 1, 28, 28]));
        // Retried: storage refuses to read the reference (an archived blob answers 409 BlobArchived), a storage error
        // the app does not classify as bad input, so the invocation fails and the host retries it with back-off.
        await _app.UploadAsync("bad-storage", ModelFiles.Options, TestModels.OptionsJson);
        await _app.UploadAsync("bad-storage", ModelFiles.Model, TestModels.Cnn);
        await _app.Clients.Models.GetBlobClient($"bad-storage/{ModelFiles.Reference}").UploadAsync(
            new BinaryData(TestModels.Npy(TestModels.Reference())), new BlobUploadOptions { AccessTier = AccessTier.Archive });
        var permanent = await _app.WaitForStatusAsync("bad-constant", ModelStatus.Failed);
        await Eventually.UntilAsync(() => Task.FromResult(RetriesOf("bad-storage") >= 1), "the first retried failure of bad-storage");

        var beside = await BuildGoodModelAsync("good-beside");

        var retriesMeanwhile = RetriesOf("bad-storage");
        output.WriteLine($"alone:  build started {alone.WaitBeforeBuild.TotalSeconds:F2} s after the upload, ready after {alone.UploadToReady.TotalSeconds:F2} s");
        output.WriteLine($"beside: build started {beside.WaitBeforeBuild.TotalSeconds:F2} s after the upload, ready after {beside.UploadToReady.TotalSeconds:F2} s; " +
            $"the retried model failed {retriesMeanwhile} times by then");
        Assert.True(beside.WaitBeforeBuild <= alone.WaitBeforeBuild + 2 * Poll,
            $"Beside the failing models the build started {beside.WaitBeforeBuild.TotalSeconds:F1} s after the upload, alone {alone.WaitBeforeBuild.TotalSeconds:F1} s " +
            $"(host poll {Poll.TotalSeconds} s; the retried model had failed {retriesMeanwhile} times by then).");
        Assert.True(permanent.FailureIsPermanent);
        Assert.Equal(1, permanent.LatestVersion);
        Assert.Null((await _app.Registry.GetAsync("bad-constant", CancellationToken.None))!.BuildingVersion);
        // The retried model was still failing and being retried while the good one built.
        Assert.NotEqual(ModelStatus.Ready, (await _app.Registry.GetAsync("bad-storage", CancellationToken.None))?.Status);
        Assert.True(retriesMeanwhile >= 1);
    }

    private sealed record Timing(TimeSpan WaitBeforeBuild, TimeSpan UploadToReady);

    /// <summary>Uploads the good model and times it: from the last upload to the build's start (its claim), and to ready.</summary>
    private async Task<Timing> BuildGoodModelAsync(string modelId)
    {
        await _app.UploadAsync(modelId, ModelFiles.Options, TestModels.OptionsJson);
        await _app.UploadAsync(modelId, ModelFiles.Model, TestModels.Cnn);
        await _app.UploadAsync(modelId, ModelFiles.Reference, TestModels.Npy(TestModels.Reference()));
        var uploaded = DateTimeOffset.UtcNow;
        var ready = await _app.WaitForStatusAsync(modelId, ModelStatus.Ready);
        var buildStarted = ready.ReadyAt!.Value - TimeSpan.FromSeconds(ready.BuildSeconds!.Value);
        return new Timing(buildStarted - uploaded, ready.ReadyAt.Value - uploaded);
    }

    /// <summary>Failed deliveries the host will retry, from its log ("Blob '…' failed in '…' (attempt n of m); retrying in …").</summary>
    private int RetriesOf(string modelId) =>
        _app.Logs.Entries.Count(e => e.Message.Contains($"/{modelId}/", StringComparison.Ordinal) && e.Message.Contains("retrying in", StringComparison.Ordinal));
}
