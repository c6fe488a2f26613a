using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Registry;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Fingerprinting;

/// <summary>
/// The upload commit point on the real Azurite: with <c>NeuralFP__RequireManifest</c> on, whatever order the files land in
/// (the job runs after every landing, as the blob trigger would), the model is built once, only when manifest.json
/// names every file with its hash, and with the options the manifest names — never with defaults in between.
/// </summary>
public sealed class ManifestCommitTests : IAsyncLifetime
{
    private StorageOnly _app = null!;

    // No local host: each landing runs the job once, so the test sees every intermediate state.
    public async Task InitializeAsync() => _app = await StorageOnly.StartAsync([StorageNames.Setting(SettingNames.RequireManifest, "true")]);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static readonly byte[] Options = Encoding.UTF8.GetBytes("{\"targetFpr\":0.1,\"detectors\":[],\"autoencoder\":{\"maxEpochs\":2,\"hiddenSize\":16}}");
    private static readonly byte[] Reference = TestModels.Npy(TestModels.Reference());

    private static byte[] Manifest(bool withOptions = true) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        files = withOptions
            ? new Dictionary<string, string> { [ModelFiles.Model] = Sha(TestModels.Cnn), [ModelFiles.Reference] = Sha(Reference), [ModelFiles.Options] = Sha(Options) }
            : new Dictionary<string, string> { [ModelFiles.Model] = Sha(TestModels.Cnn), [ModelFiles.Reference] = Sha(Reference) },
    });

    private async Task<List<FingerprintOutcome>> LandAsync(string modelId, IEnumerable<string> order, byte[]? manifest = null)
    {
        var job = _app.Services.GetRequiredService<FingerprintJob>();
        var contents = new Dictionary<string, byte[]> { [ModelFiles.Model] = TestModels.Cnn, [ModelFiles.Reference] = Reference, [ModelFiles.Options] = Options, [ModelFiles.Manifest] = manifest ?? Manifest() };
        var outcomes = new List<FingerprintOutcome>();
        foreach (var file in order)
        {
            await _app.UploadAsync(modelId, file, contents[file]);
            outcomes.Add(await job.RunAsync(modelId, CancellationToken.None));
        }
        return outcomes;
    }

    public static TheoryData<string> Orders()
    {
        var files = new[] { ModelFiles.Model, ModelFiles.Reference, ModelFiles.Options };
        var data = new TheoryData<string>();
        // Every order of the three files with the manifest last, and the manifest first or in the middle (a pipeline that got it wrong).
        foreach (var a in files)
            foreach (var b in files.Except([a]))
                data.Add(string.Join(',', a, b, files.Except([a, b]).Single(), ModelFiles.Manifest));
        data.Add(string.Join(',', ModelFiles.Manifest, ModelFiles.Reference, ModelFiles.Options, ModelFiles.Model));
        data.Add(string.Join(',', ModelFiles.Model, ModelFiles.Manifest, ModelFiles.Reference, ModelFiles.Options));
        return data;
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task Every_landing_order_builds_once_when_the_upload_is_complete_with_its_options(string order)
    {
        var modelId = "order-" + Math.Abs(order.GetHashCode(StringComparison.Ordinal) % 100000);
        var outcomes = await LandAsync(modelId, order.Split(','));

        // Nothing is built before the last landing; the last one builds.
        Assert.All(outcomes[..^1], o => Assert.Equal(FingerprintOutcomeKind.WaitingForFiles, o.Kind));
        Assert.Equal(FingerprintOutcomeKind.Built, outcomes[^1].Kind);
        var row = await _app.Registry.GetAsync(modelId, CancellationToken.None);
        Assert.Equal((ModelStatus.Ready, 1, 1), (row!.Status, row.CurrentVersion, row.LatestVersion));
        Assert.Equal(0.1, row.Calibration!.TargetFpr, 12);
    }

    [Fact]
    public async Task Without_a_manifest_nothing_is_built_when_one_is_required()
    {
        var outcomes = await LandAsync("no-manifest", [ModelFiles.Options, ModelFiles.Model, ModelFiles.Reference]);

        Assert.All(outcomes, o => Assert.Equal(FingerprintOutcomeKind.WaitingForFiles, o.Kind));
        Assert.Contains(ModelFiles.Manifest, outcomes[^1].Message, StringComparison.Ordinal);
        Assert.Equal(0, (await _app.Registry.GetAsync("no-manifest", CancellationToken.None))!.LatestVersion);
    }

    [Fact]
    public async Task A_file_that_differs_from_the_manifest_waits_and_names_the_file()
    {
        var stale = JsonSerializer.SerializeToUtf8Bytes(new { files = new Dictionary<string, string> { [ModelFiles.Model] = Sha(TestModels.Cnn), [ModelFiles.Reference] = new string('a', 64) } });
        var outcomes = await LandAsync("stale", [ModelFiles.Model, ModelFiles.Reference, ModelFiles.Manifest], stale);

        Assert.Equal(FingerprintOutcomeKind.WaitingForFiles, outcomes[^1].Kind);
        Assert.Contains(ModelFiles.Reference, outcomes[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_the_manifest_does_not_name_are_ignored()
    {
        var outcomes = await LandAsync("unnamed-options", [ModelFiles.Options, ModelFiles.Model, ModelFiles.Reference, ModelFiles.Manifest], Manifest(withOptions: false));

        Assert.Equal(FingerprintOutcomeKind.Built, outcomes[^1].Kind);
        Assert.Equal(0.05, (await _app.Registry.GetAsync("unnamed-options", CancellationToken.None))!.Calibration!.TargetFpr, 12);
    }

    [Fact]
    public async Task A_malformed_manifest_fails_for_good_naming_it()
    {
        var outcomes = await LandAsync("bad-manifest", [ModelFiles.Manifest], Encoding.UTF8.GetBytes("{\"files\":{\"model.onnx\":\"xyz\"}}"));

        Assert.Equal(FingerprintOutcomeKind.Failed, outcomes[^1].Kind);
        var row = await _app.Registry.GetAsync("bad-manifest", CancellationToken.None);
        Assert.True(row!.FailureIsPermanent);
        Assert.StartsWith("manifest.json:", row.FailureReason, StringComparison.Ordinal);
    }
}
