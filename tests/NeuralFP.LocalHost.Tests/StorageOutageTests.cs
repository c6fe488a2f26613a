using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.LocalHost.Tests;

/// <summary>
/// The host's triggers against an Azurite of the test's own that goes away: a stop that comes while a storage call is in
/// the Azure SDK's retry back-off is a clean stop (the SDK reports that cancellation as an AggregateException of its
/// attempts, not as a cancellation), and blob triggers keep working when storage comes back.
/// </summary>
public sealed class StorageOutageTests
{
    [Fact]
    public async Task Stopping_while_storage_calls_back_off_is_a_clean_stop_and_uploads_after_an_outage_are_delivered()
    {
        using var azurite = AzuriteServer.StartPrivate();
        var sample = await SampleHost.StartAsync(storage: azurite.ConnectionString);
        var running = true;
        try
        {
            azurite.Stop();
            running = false;
            // Every poll fails at once and waits in the SDK's back-off (0.8 s, 1.6 s, … between its attempts).
            await Task.Delay(TimeSpan.FromSeconds(2));
            azurite.Start();
            running = true;
            await sample.Uploads.GetBlobClient("after-outage.bin").UploadAsync(BinaryData.FromString("back"));
            await Eventually.UntilAsync(async () => (await sample.RecordsAsync("uploads/after-outage.bin/")).Count == 1, "the upload after the outage");

            azurite.Stop();
            running = false;
            await Task.Delay(TimeSpan.FromSeconds(2));
            var failure = await Record.ExceptionAsync(() => sample.Host.DisposeAsync().AsTask());
            Assert.Null(failure);
        }
        finally
        {
            if (!running) azurite.Start();
            await sample.DisposeAsync();
        }
    }
}
