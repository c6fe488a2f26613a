using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.LocalHost;

/// <summary>
/// The local host triggers once per blob version, like the Functions host's blob receipts: a blob it
/// has processed is not invoked again on later polls (Azurite's listing and download ETags differ in
/// quoting, which once made every poll re-trigger every blob).
/// </summary>
public sealed class BlobTriggerOnceTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_processed_blob_is_not_triggered_again_until_it_changes()
    {
        var container = _app.Clients.Blobs.GetBlobContainerClient(_app.Names.Models);
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient("m1/notes.txt");
        await blob.UploadAsync(new BinaryData("first"u8.ToArray()));
        int Invocations() => _app.Logs.Entries.Count(e => e.Message.Contains("Ignored models/m1/notes.txt", StringComparison.Ordinal) && e.Category.StartsWith("LocalHost", StringComparison.Ordinal));

        await Eventually.WaitAsync(async () => { await Task.Yield(); return Invocations() >= 1 ? "seen" : null; }, "the first invocation");
        await Task.Delay(TimeSpan.FromSeconds(4)); // several poll intervals
        Assert.Equal(1, Invocations());

        await blob.UploadAsync(new BinaryData("second"u8.ToArray()), overwrite: true);
        await Eventually.WaitAsync(async () => { await Task.Yield(); return Invocations() >= 2 ? "seen" : null; }, "the invocation for the new version");
    }
}
