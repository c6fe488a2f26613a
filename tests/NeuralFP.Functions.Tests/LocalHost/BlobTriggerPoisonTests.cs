using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NeuralFP.Functions.LocalHost;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.Tests.LocalHost;

/// <summary>
/// The local host follows the declarations it reads: here a script root whose FingerprintModel trigger
/// watches a path without the placeholders the handler needs, so every invocation fails and the blob is
/// reported on the host's blob poison queue after maxDequeueCount attempts.
/// </summary>
public sealed class BlobTriggerPoisonTests : IAsyncLifetime
{
    private readonly string _scriptRoot = Path.Combine(Path.GetTempPath(), "nfp-script-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly StorageNames _names = StorageNames.Unique();
    private TestApp _app = null!;

    private string DropContainer => _names.Prefix + "-drop";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_scriptRoot, "FingerprintModel"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "host.json"), Path.Combine(_scriptRoot, "host.json"));
        await File.WriteAllTextAsync(Path.Combine(_scriptRoot, "FingerprintModel", "function.json"),
            $$"""{"bindings":[{"name":"blob","type":"blobTrigger","direction":"in","path":"{{DropContainer}}/{file}","connection":"AzureWebJobsStorage"}]}""");
        _app = await TestApp.StartAsync(names: _names, settings: [StorageNames.Setting(SettingNames.ScriptRoot, _scriptRoot)]);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_scriptRoot, recursive: true);
    }

    [Fact]
    public async Task A_blob_whose_invocations_keep_failing_is_reported_on_the_poison_queue()
    {
        var container = _app.Clients.Blobs.GetBlobContainerClient(DropContainer);
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient("orphan.bin").UploadAsync(new BinaryData(new byte[] { 1, 2, 3 }));

        var poison = _app.Clients.Queues.GetQueueClient(BlobTriggerListener.PoisonQueue);
        var report = await Eventually.WaitAsync(async () =>
            (await TestApp.PeekAllAsync(poison)).FirstOrDefault(m => m.Contains(DropContainer, StringComparison.Ordinal)), "the blob poison report");

        var message = JsonDocument.Parse(report).RootElement;
        Assert.Equal(("FingerprintModel", DropContainer, "orphan.bin"),
            (message.GetProperty("FunctionId").GetString(), message.GetProperty("ContainerName").GetString(), message.GetProperty("BlobName").GetString()));
        Assert.Equal(5, _app.Logs.Entries.Count(e => e.Message.Contains("orphan.bin: attempt", StringComparison.Ordinal)));
        Assert.True(_app.Logs.Contains(LogLevel.Error, "orphan.bin", "gave up after 5 attempts", "names no blob"));
    }
}
