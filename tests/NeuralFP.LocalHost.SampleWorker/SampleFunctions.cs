using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;

namespace NeuralFP.LocalHost.SampleWorker;

/// <summary>
/// One function per trigger kind. Each leaves a trace a test can read: the HTTP answer itself, a record blob per
/// invocation in the container named by Sample:RecordsContainer, or a queue message.
/// </summary>
public sealed class SampleFunctions(IConfiguration configuration)
{
    private BlobContainerClient Records => new(configuration["AzureWebJobsStorage"], configuration["Sample:RecordsContainer"]);

    [Function("Echo")]
    public async Task<IActionResult> Echo(
        [HttpTrigger(AuthorizationLevel.Function, "get", "post", Route = "echo/{id}")] HttpRequest request, string id)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        request.HttpContext.Response.Headers["X-Sample-Id"] = id;
        var answer = new
        {
            id,
            method = request.Method,
            query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
            body,
            header = request.Headers["X-Test"].ToString(),
            contentType = request.ContentType,
            pid = Environment.ProcessId,
        };
        return new ObjectResult(answer) { StatusCode = request.Method == "POST" ? 201 : 200 };
    }

    [Function("OnUpload")]
    public async Task OnUpload(
        [BlobTrigger("%Sample:UploadsContainer%/{name}", Source = BlobTriggerSource.EventGrid)] BlobClient blob, string name,
        FunctionContext context)
    {
        var content = (await blob.DownloadContentAsync()).Value.Content.ToString();
        await RecordAsync($"uploads/{name}/{context.InvocationId}", JsonSerializer.Serialize(new { name, blob = blob.Name, content }));
        if (content.StartsWith("fail", StringComparison.Ordinal)) throw new InvalidOperationException($"Upload '{name}' asked to fail.");
    }

    [Function("Double")]
    [QueueOutput("%Sample:OutputQueue%")]
    public async Task<string> Double([QueueTrigger("%Sample:InputQueue%")] string message, long dequeueCount, FunctionContext context)
    {
        await RecordAsync($"queue/{message}/{context.InvocationId}", dequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (message.StartsWith("fail", StringComparison.Ordinal)) throw new InvalidOperationException($"Message '{message}' asked to fail.");
        return (2 * int.Parse(message, System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [Function("Tick")]
    public Task Tick([TimerTrigger("%Sample:TickSchedule%")] TimerInfo timer, FunctionContext context) =>
        RecordAsync($"ticks/{context.InvocationId}", JsonSerializer.Serialize(new { timer.IsPastDue, next = timer.ScheduleStatus?.Next }));

    private async Task RecordAsync(string name, string content)
    {
        await Records.CreateIfNotExistsAsync();
        await Records.UploadBlobAsync(name, BinaryData.FromString(content));
    }
}
