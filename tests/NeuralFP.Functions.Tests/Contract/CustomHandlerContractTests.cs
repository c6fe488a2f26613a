using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Ports;

namespace NeuralFP.Functions.Tests.Contract;

/// <summary>
/// The handler as the Functions host calls it (no local host running): <c>POST /{FunctionName}</c> with
/// <c>{"Data", "Metadata"}</c> (strings double-encoded), answered with <c>{"Outputs", "Logs", "ReturnValue"}</c>;
/// a non-2xx reply is what makes the host retry.
/// </summary>
public sealed class CustomHandlerContractTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(standalone: false);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    internal static string Twice(string value) => JsonSerializer.Serialize(value);

    private async Task<(HttpStatusCode Status, JsonElement Body)> InvokeAsync(string function, string payload)
    {
        var response = await _app.Http.PostAsync(function, new StringContent(payload, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Blob_invocation_with_only_the_model_present_reports_waiting()
    {
        await _app.UploadAsync("contract-wait", ModelFiles.Model, [8, 1]);
        var payload = new JsonObject
        {
            ["Data"] = new JsonObject { ["blob"] = Convert.ToBase64String(new byte[] { 8, 1 }) },
            ["Metadata"] = new JsonObject
            {
                ["modelId"] = Twice("contract-wait"),
                ["name"] = Twice("model.onnx"),
                ["BlobTrigger"] = Twice($"{_app.Names.Models}/contract-wait/model.onnx"),
                ["sys"] = new JsonObject { ["MethodName"] = Twice("FingerprintModel"), ["UtcNow"] = Twice("2026-01-01T00:00:00Z"), ["RandGuid"] = Twice(Guid.NewGuid().ToString()) },
            },
        }.ToJsonString();

        var (status, body) = await InvokeAsync("FingerprintModel", payload);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(JsonValueKind.Object, body.GetProperty("Outputs").ValueKind);
        Assert.Equal("waitingForFiles", body.GetProperty("ReturnValue").GetProperty("kind").GetString());
        Assert.Contains("reference.npy", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blob_invocation_located_by_blob_path_alone_works_too()
    {
        var payload = $$$"""{"Data":{"blob":""},"Metadata":{"BlobTrigger":{{{JsonSerializer.Serialize(Twice("models/contract-path/reference.npy"))}}}}}""";
        var (status, body) = await InvokeAsync("FingerprintModel", payload);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("contract-path", body.GetProperty("ReturnValue").GetProperty("modelId").GetString());
    }

    [Fact]
    public async Task Blob_invocation_for_an_unrelated_file_is_ignored_successfully()
    {
        var payload = $$$"""{"Data":{"blob":""},"Metadata":{"modelId":{{{JsonSerializer.Serialize(Twice("m"))}}},"name":{{{JsonSerializer.Serialize(Twice("notes.txt"))}}}}}""";
        var (status, body) = await InvokeAsync("FingerprintModel", payload);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Ignored", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
        Assert.Null(await _app.Registry.GetAsync("m", CancellationToken.None));
    }

    [Fact]
    public async Task Failing_queue_invocation_answers_non_2xx_with_the_reason_in_logs()
    {
        // The message as it sits on the queue (base64): the handler accepts it whether or not the host decoded it.
        var message = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"batchId\":\"c-1\",\"modelId\":\"absent\",\"records\":[[1]]}"));
        var payload = new JsonObject
        {
            ["Data"] = new JsonObject { ["request"] = Twice(message) },
            ["Metadata"] = new JsonObject { ["DequeueCount"] = 1, ["Id"] = Twice("msg-1") },
        }.ToJsonString();

        var (status, body) = await InvokeAsync("ScoreBatch", payload);

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ReturnValue").ValueKind);
        Assert.Contains("'absent' is unknown", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Payload_without_the_trigger_binding_is_refused()
    {
        var (status, body) = await InvokeAsync("ScoreBatch", "{\"Data\":{},\"Metadata\":{}}");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains("Data.request", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_alerts_returns_the_alarm_as_the_topic_output_and_refuses_other_messages()
    {
        var alarm = """{"kind":"drift-alarm","modelId":"cnn","modelVersion":3,"alarmId":2,"raisedAt":"2026-11-23T06:00:00+00:00","windowSize":500,"windowCount":500,"oodCount":61,"rate":0.122,"expectedRate":0.05,"pValue":2.1E-09,"alpha":0.001}""";
        static string Payload(string message) => new JsonObject
        {
            ["Data"] = new JsonObject { ["alert"] = Twice(message) },
            ["Metadata"] = new JsonObject { ["Id"] = Twice("m-1"), ["DequeueCount"] = 1 },
        }.ToJsonString();

        var (status, body) = await InvokeAsync("PublishAlerts", Payload(alarm));
        var (badStatus, badBody) = await InvokeAsync("PublishAlerts", Payload("not json"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(alarm, body.GetProperty("Outputs").GetProperty("topicMessage").GetString());
        Assert.Equal(HttpStatusCode.InternalServerError, badStatus);
        Assert.Contains("not a drift alarm", badBody.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
    }
}
