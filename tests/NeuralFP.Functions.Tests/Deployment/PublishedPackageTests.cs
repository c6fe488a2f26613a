using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.PortableExecutable;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.TestData;

namespace NeuralFP.Functions.Tests.Deployment;

/// <summary>
/// The deployable package from <c>scripts/publish</c> (linux-x64, ReadyToRun): it holds what the Functions host loads, and
/// its precompiled worker, started by the local host, builds the same fingerprint bytes as the build output's worker and
/// answers verdicts. A package that only looks right is what a deployment finds out about at 3 a.m.
/// </summary>
public sealed class PublishedPackageTests(PublishedPackageTests.Package package) : IClassFixture<PublishedPackageTests.Package>
{
    /// <summary>One run of <c>scripts/publish</c> into a temporary folder, shared by the tests of this class.</summary>
    public sealed class Package : IAsyncLifetime
    {
        public string Out { get; } = Directory.CreateTempSubdirectory("nfp-publish-").FullName;

        public async Task InitializeAsync()
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { Path.Combine(RepoPaths.Root, "scripts", "publish"), "--out", Out }) start.ArgumentList.Add(argument);
            using var publish = Process.Start(start)!;
            var output = publish.StandardOutput.ReadToEndAsync();
            var errors = publish.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            try
            {
                await publish.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                publish.Kill(entireProcessTree: true);
                throw new TimeoutException($"scripts/publish took more than 5 minutes:{Environment.NewLine}{await errors}");
            }
            Assert.True(publish.ExitCode == 0, $"scripts/publish exited {publish.ExitCode}:{Environment.NewLine}{await errors}");
            Assert.Equal(Path.Combine(Out, "neuralfp-functions.zip"), (await output).Trim());
        }

        public Task DisposeAsync()
        {
            Directory.Delete(Out, recursive: true);
            return Task.CompletedTask;
        }
    }

    private string PublishedWorker => Path.Combine(package.Out, "app", "NeuralFP.Functions.dll");

    [Fact]
    public void The_zip_holds_the_host_files_at_its_root_and_native_code_for_linux_x64_only()
    {
        using var zip = ZipFile.OpenRead(Path.Combine(package.Out, "neuralfp-functions.zip"));
        var names = zip.Entries.Select(e => e.FullName.Replace('\\', '/')).ToHashSet(StringComparer.Ordinal);
        foreach (var required in new[] { "host.json", "functions.metadata", "worker.config.json", "NeuralFP.Functions.dll", "libonnxruntime.so" })
            Assert.Contains(required, names);
        Assert.DoesNotContain(names, n => n.StartsWith("runtimes/", StringComparison.Ordinal) || n.EndsWith(".dylib", StringComparison.Ordinal) || n.EndsWith("onnxruntime.dll", StringComparison.Ordinal));

        // ReadyToRun images carry a managed native header; IL-only assemblies do not.
        using var pe = new PEReader(File.OpenRead(PublishedWorker));
        Assert.True(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, "NeuralFP.Functions.dll is not precompiled (ReadyToRun).");
    }

    [Fact]
    public async Task The_published_worker_builds_the_same_fingerprint_as_the_build_output_and_answers()
    {
        var reference = TestModels.Reference();
        var records = TestModels.Probe(16);
        var built = new Dictionary<string, byte[]>[2];
        var workers = new[] { TestApp.WorkerDll, PublishedWorker };
        for (var w = 0; w < workers.Length; w++)
        {
            await using var app = await TestApp.StartAsync(workerDll: workers[w]);
            await app.UploadAsync("published", ModelFiles.Options, TestModels.OptionsJson);
            await TestModels.UploadAsync(app, "published", TestModels.Cnn, reference);
            var ready = await app.WaitForStatusAsync("published", ModelStatus.Ready);
            built[w] = [];
            foreach (var file in new[] { "scorer.onnx", "detectors.json" })
            {
                var blob = app.Clients.Fingerprints.GetBlobClient(IFingerprintStore.Prefix("published", ready.CurrentVersion!.Value) + file);
                built[w][file] = (await blob.DownloadContentAsync()).Value.Content.ToArray();
            }

            using var response = await app.Http.PostAsync("api/models/published/verdicts", new ByteArrayContent(TestModels.Npy(records)) { Headers = { ContentType = new("application/x-npy") } });
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            var answer = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(records.Records, answer.RootElement.GetProperty("verdicts").GetArrayLength());
        }
        foreach (var file in built[0].Keys)
            Assert.True(built[0][file].AsSpan().SequenceEqual(built[1][file]), $"{file} differs between the build output's worker and the published one.");
    }
}
