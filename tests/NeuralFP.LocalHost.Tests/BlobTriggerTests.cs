using System.Text.Json;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.LocalHost.Tests;

/// <summary>Uploads become blob-created events delivered once each to a function bound to a BlobClient.</summary>
public sealed class BlobTriggerTests(SampleHostFixture fixture) : IClassFixture<SampleHostFixture>
{
    private SampleHost Sample => fixture.Sample;

    [Fact]
    public async Task An_upload_is_delivered_once_with_a_working_BlobClient_and_a_new_version_again()
    {
        await Sample.Uploads.GetBlobClient("models/m1/model.onnx").UploadAsync(BinaryData.FromString("first"));

        var first = await Eventually.WaitAsync(async () => (await Sample.RecordsAsync("uploads/models/m1/model.onnx/")) is [var one] ? one.Content : null, "the upload's event");
        var seen = JsonDocument.Parse(first).RootElement;
        Assert.Equal("models/m1/model.onnx", seen.GetProperty("name").GetString());
        Assert.Equal("models/m1/model.onnx", seen.GetProperty("blob").GetString());
        Assert.Equal("first", seen.GetProperty("content").GetString());

        // Many more polls go by: the same ETag is not delivered again.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(await Sample.RecordsAsync("uploads/models/m1/model.onnx/"));

        await Sample.Uploads.GetBlobClient("models/m1/model.onnx").UploadAsync(BinaryData.FromString("second"), overwrite: true);
        var both = await Eventually.WaitAsync(async () => (await Sample.RecordsAsync("uploads/models/m1/model.onnx/")) is { Count: 2 } two ? two : null, "the new version's event");
        Assert.Contains(both, r => JsonDocument.Parse(r.Content).RootElement.GetProperty("content").GetString() == "second");
    }

    [Fact]
    public async Task A_failing_blob_is_retried_then_poisoned_without_holding_up_other_blobs()
    {
        await Sample.Uploads.GetBlobClient("bad.bin").UploadAsync(BinaryData.FromString("fail please"));
        await Sample.Uploads.GetBlobClient("good.bin").UploadAsync(BinaryData.FromString("fine"));

        await Eventually.UntilAsync(async () => (await Sample.RecordsAsync("uploads/good.bin/")).Count == 1, "the good blob's event");
        var poison = await Eventually.WaitAsync(async () =>
            (await SampleHost.PeekTextsAsync(Sample.BlobPoison)).FirstOrDefault(t => t.Contains(Sample.Uploads.Name) && t.Contains("bad.bin")), "the poison message");

        var message = JsonDocument.Parse(poison).RootElement;
        Assert.Equal("bad.bin", message.GetProperty("BlobName").GetString());
        Assert.Equal(Sample.Uploads.Name, message.GetProperty("ContainerName").GetString());
        Assert.Equal("OnUpload", message.GetProperty("FunctionId").GetString());
        // host.json maxDequeueCount is 3: three attempts, then no more.
        Assert.Equal(3, (await Sample.RecordsAsync("uploads/bad.bin/")).Count);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(3, (await Sample.RecordsAsync("uploads/bad.bin/")).Count);
        Assert.Single(await Sample.RecordsAsync("uploads/good.bin/"));
    }
}
