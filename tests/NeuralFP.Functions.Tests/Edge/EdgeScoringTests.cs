using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Application.Registry;
using NeuralFP.Core.Artifacts;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;
using NeuralFP.Edge;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.TestData;

namespace NeuralFP.Functions.Tests.Edge;

/// <summary>
/// A gateway downloads the fingerprint archive over HTTP from the real app (worker process under the local host, Azurite)
/// and scores 2,000 real Fashion-MNIST test records offline with the edge library: the verdicts must be the service's.
/// </summary>
public sealed class EdgeScoringTests(EdgeScoringTests.Fixture fixture) : IClassFixture<EdgeScoringTests.Fixture>
{
    private const string ModelId = "fmnist-cnn";

    public sealed class Fixture : IAsyncLifetime
    {
        public TestApp App { get; private set; } = null!;
        public ModelRecord Ready { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            App = await TestApp.StartAsync();
            await TestModels.UploadAsync(App, ModelId, TestModels.Cnn, TestModels.Reference());
            Ready = await App.WaitForStatusAsync(ModelId, ModelStatus.Ready);
        }

        public async Task DisposeAsync() => await App.DisposeAsync();
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Offline_verdicts_on_2000_test_records_are_the_services_and_a_second_download_with_the_etag_is_304()
    {
        using var response = await fixture.App.Http.GetAsync($"api/models/{ModelId}/fingerprint", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FingerprintArchive.MediaType, response.Content.Headers.ContentType?.MediaType);
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Equal(fixture.Ready.CurrentHashes!.Model, Assert.Single(response.Headers.GetValues("X-NeuralFP-Model-Sha256")));
        Assert.Equal(fixture.Ready.CurrentVersion.ToString(), Assert.Single(response.Headers.GetValues("X-NeuralFP-Model-Version")));
        EdgeFingerprint fingerprint;
        await using (var body = await response.Content.ReadAsStreamAsync())
            fingerprint = await EdgeFingerprint.LoadAsync(body, TestModels.Cnn);
        Assert.Equal((ModelId, fixture.Ready.CurrentVersion!.Value), (fingerprint.ModelId, fingerprint.Version));

        var records = TestModels.Probe(2000);
        using var scorer = new EdgeScorer(fingerprint);
        const int batch = 500;
        var lastBatchOod = 0;
        for (var start = 0; start < records.Records; start += batch)
        {
            var chunk = FashionMnist.Test().Select(Enumerable.Range(start, batch)).Images;
            using var content = new ByteArrayContent(TestModels.Npy(chunk));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-npy");
            using var served = await fixture.App.Http.PostAsync($"api/models/{ModelId}/verdicts?detail=layers", content);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            var answer = JsonSerializer.Deserialize<NeuralFP.Contracts.VerdictsResponse>(await served.Content.ReadAsStringAsync(), Json)!;
            var service = answer.Verdicts.Select(v => v.ToVerdict(answer.Layers)).ToArray();
            var edge = scorer.Score(chunk);
            Assert.Equal(service.Length, edge.Count);
            lastBatchOod = service.Count(v => v.Ood);
            for (var r = 0; r < batch; r++)
            {
                Assert.Equal((service[r].Ood, service[r].PredictedClass), (edge[r].Ood, edge[r].PredictedClass));
                Assert.Equal(service[r].Score, edge[r].Score);
                Assert.Equal(service[r].PValue, edge[r].PValue);
                Assert.Equal(service[r].Layers.Select(l => (l.Layer, l.Error, l.Fired)), edge[r].Layers.Select(l => (l.Layer, l.Error, l.Fired)));
            }
        }
        // The local window holds the last 500 outcomes (the service's default window), tested against the calibrated FPR.
        Assert.Equal(batch, scorer.Drift.WindowCount);
        Assert.Equal(lastBatchOod, scorer.Drift.OodCount);
        Assert.Equal(fingerprint.Fingerprint.Manifest.Calibration.TargetFpr, scorer.Drift.ExpectedRate);

        using var again = new HttpRequestMessage(HttpMethod.Get, $"api/models/{ModelId}/fingerprint");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await fixture.App.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_archive_holds_the_manifest_first_and_the_versions_files_and_is_the_same_bytes_each_time()
    {
        var first = await fixture.App.Http.GetByteArrayAsync($"api/models/{ModelId}/fingerprint");
        var second = await fixture.App.Http.GetByteArrayAsync($"api/models/{ModelId}/fingerprint");
        Assert.Equal(first, second);
        using var zip = new ZipArchive(new MemoryStream(first));
        Assert.Equal(FingerprintArchive.ManifestEntryName, zip.Entries[0].FullName);
        var manifest = JsonDocument.Parse(zip.Entries[0].Open()).RootElement;
        Assert.Equal(fixture.Ready.CurrentHashes!.Model, manifest.GetProperty("modelSha256").GetString());
        var stored = await fixture.App.Services.GetRequiredService<Application.Ports.IFingerprintStore>().ReadAsync(ModelId, fixture.Ready.CurrentVersion!.Value, CancellationToken.None);
        Assert.Equal(stored.Keys.Order(), zip.Entries.Skip(1).Select(e => e.FullName).Order());
        foreach (var entry in zip.Entries.Skip(1))
        {
            using var content = new MemoryStream();
            entry.Open().CopyTo(content);
            Assert.Equal(stored[entry.FullName], content.ToArray());
        }
    }

    /// <summary>The runnable example: <c>nfp pull</c> from the running app, then <c>nfp score</c> offline on the pulled folder.</summary>
    [Fact]
    public async Task Nfp_pull_then_score_offline_gives_the_services_ood_count_and_a_second_pull_is_a_no_op()
    {
        var directory = Directory.CreateTempSubdirectory("nfp-pull-").FullName;
        try
        {
            var url = fixture.App.Address.ToString().TrimEnd('/');
            var pulled = await RunNfpAsync("pull", "--url", url, "--model", ModelId, "--out", directory, "--verify-model", RepoPaths.Model("fmnist_cnn.onnx"), "--json");
            Assert.True(pulled.ExitCode == 0, pulled.Stderr);
            var pull = JsonDocument.Parse(pulled.Stdout).RootElement;
            Assert.True(pull.GetProperty("updated").GetBoolean());
            Assert.Equal(fixture.Ready.CurrentVersion, pull.GetProperty("modelVersion").GetInt32()); // the service's name
            Assert.True(File.Exists(Path.Combine(directory, FingerprintArchive.ManifestEntryName)));
            // The build's self-check travels with the fingerprint to the edge.
            Assert.Equal(4, pull.GetProperty("selfCheck").GetProperty("shifts").GetArrayLength());
            var again = await RunNfpAsync("pull", "--url", url, "--model", ModelId, "--out", directory);
            Assert.True(again.ExitCode == 0, again.Stderr);
            Assert.Contains("is current", again.Stdout);
            Assert.Contains("Its self-check on ", again.Stdout);

            var records = TestModels.Probe(300);
            var npy = Path.Combine(directory, "records.npy");
            await File.WriteAllBytesAsync(npy, TestModels.Npy(records));
            var scored = await RunNfpAsync("score", "--fingerprint", directory, "--records", npy, "--json");
            Assert.True(scored.ExitCode == 0, scored.Stderr);
            var local = JsonDocument.Parse(scored.Stdout).RootElement;
            using var content = new ByteArrayContent(TestModels.Npy(records));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-npy");
            using var served = await fixture.App.Http.PostAsync($"api/models/{ModelId}/verdicts", content);
            var serviceOod = JsonDocument.Parse(await served.Content.ReadAsStringAsync()).RootElement.GetProperty("oodRecords").GetInt32();
            Assert.Equal(serviceOod, local.GetProperty("oodRecords").GetInt32()); // the same name as the service's
            Assert.Equal(300, local.GetProperty("drift").GetProperty("windowCount").GetInt32());

            var wrongModel = await RunNfpAsync("pull", "--url", url, "--model", "no-such-model", "--out", directory);
            Assert.Equal(2, wrongModel.ExitCode);
            Assert.Contains("404", wrongModel.Stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunNfpAsync(params string[] args)
    {
        var nfp = Path.Combine(Path.GetDirectoryName(TestApp.WorkerDll)!.Replace(Path.Combine("NeuralFP.Functions", "bin"), Path.Combine("NeuralFP.Cli", "bin")), "nfp.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(nfp);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task A_gateway_running_another_model_refuses_the_archive()
    {
        await using var body = await fixture.App.Http.GetStreamAsync($"api/models/{ModelId}/fingerprint");
        var other = File.ReadAllBytes(RepoPaths.Model("fmnist_mlp.onnx"));
        var error = await Assert.ThrowsAsync<ModelMismatchException>(() => EdgeFingerprint.LoadAsync(body, other));
        Assert.Equal(fixture.Ready.CurrentHashes!.Model, error.ExpectedSha256);
    }

    [Fact]
    public async Task Unknown_models_are_404_and_models_without_a_fingerprint_409_as_problem_details()
    {
        await Problems.AssertProblemAsync(await fixture.App.Http.GetAsync("api/models/no-such-model/fingerprint"), HttpStatusCode.NotFound, "no-such-model");
        await fixture.App.UploadAsync("only-a-model", Application.Inputs.ModelFiles.Model, TestModels.Cnn);
        await fixture.App.WaitForStatusAsync("only-a-model", ModelStatus.Pending);
        await Problems.AssertProblemAsync(await fixture.App.Http.GetAsync("api/models/only-a-model/fingerprint"), HttpStatusCode.Conflict);
        await Problems.AssertProblemAsync(await fixture.App.Http.GetAsync("api/models/Bad%20Id!/fingerprint"), HttpStatusCode.BadRequest);
    }
}
