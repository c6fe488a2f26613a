using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.LocalHost.Tests;

/// <summary>Queue messages run the function with host.json's queue settings; its queue output is written.</summary>
public sealed class QueueTriggerTests(SampleHostFixture fixture) : IClassFixture<SampleHostFixture>
{
    private SampleHost Sample => fixture.Sample;

    [Fact]
    public async Task A_message_is_processed_once_and_its_output_written()
    {
        await Sample.SendAsync("21");

        await Eventually.UntilAsync(async () => (await SampleHost.PeekTextsAsync(Sample.Output)).Contains("42"), "the output message");
        var records = await Sample.RecordsAsync("queue/21/");
        Assert.Equal("1", Assert.Single(records).Content); // dequeueCount bound from the trigger metadata
        await Eventually.UntilAsync(async () => (await Sample.Input.PeekMessagesAsync(1)).Value.Length == 0, "the input message's deletion");
    }

    [Fact]
    public async Task A_failing_message_is_retried_then_moved_to_the_poison_queue()
    {
        await Sample.SendAsync("fail-7");

        await Eventually.UntilAsync(async () => (await SampleHost.PeekTextsAsync(Sample.InputPoison)).Contains("fail-7"), "the poison message");
        var dequeueCounts = (await Sample.RecordsAsync("queue/fail-7/")).Select(r => r.Content).Order().ToArray();
        Assert.Equal(["1", "2", "3"], dequeueCounts); // host.json maxDequeueCount 3
        Assert.DoesNotContain("fail-7", await SampleHost.PeekTextsAsync(Sample.Output));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(3, (await Sample.RecordsAsync("queue/fail-7/")).Count);
    }

    [Fact]
    public async Task A_batch_of_messages_is_processed()
    {
        foreach (var n in Enumerable.Range(100, 10)) await Sample.SendAsync(n.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await Eventually.UntilAsync(async () =>
        {
            var outputs = new HashSet<string>();
            await foreach (var blob in Sample.Records.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = "queue/1" })) outputs.Add(blob.Name.Split('/')[1]);
            return outputs.Count == 10;
        }, "ten invocations");
        var expected = Enumerable.Range(100, 10).Select(n => (2 * n).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        await Eventually.UntilAsync(async () => expected.IsSubsetOf(await DrainAsync()), "ten outputs");
    }

    private readonly HashSet<string> _drained = [];

    private async Task<HashSet<string>> DrainAsync()
    {
        foreach (var message in (await Sample.Output.ReceiveMessagesAsync(32)).Value)
        {
            _drained.Add(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText)));
            await Sample.Output.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }
        return _drained;
    }
}
