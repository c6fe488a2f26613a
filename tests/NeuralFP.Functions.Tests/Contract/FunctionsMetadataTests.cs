using System.Text.Json;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.OpenApi;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Contract;

/// <summary>
/// The worker SDK writes functions.metadata at build from the [Function] classes; the Functions host (and the local
/// host) index the app from it. These tests pin every function's bindings as the host will read them, and check that
/// the OpenAPI document describes exactly the HTTP functions that exist.
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly string AppDirectory = Path.GetDirectoryName(TestApp.WorkerDll)!;

    private static JsonElement[] Functions() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppDirectory, "functions.metadata"))).RootElement.EnumerateArray().Select(f => f.Clone()).ToArray();

    private static JsonElement[] Bindings(string name)
        => Assert.Single(Functions(), f => f.GetProperty("name").GetString() == name).GetProperty("bindings").EnumerateArray().ToArray();

    private static string? Text(JsonElement binding, string property)
        => binding.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, property, StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static string[] Methods(JsonElement binding) => binding.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).Order().ToArray();

    public static TheoryData<string, string, string[]> HttpFunctions => new()
    {
        { FunctionNames.Verdicts, "models/{modelId}/verdicts", ["POST"] },
        { FunctionNames.Match, "match", ["POST"] },
        { FunctionNames.Models, "models", ["GET"] },
        { FunctionNames.Model, "models/{modelId}", ["GET"] },
        { FunctionNames.Drift, "models/{modelId}/drift", ["GET"] },
        { FunctionNames.Report, "models/{modelId}/report", ["GET", "POST"] },
        { FunctionNames.FingerprintDownload, "models/{modelId}/fingerprint", ["GET"] },
        { FunctionNames.Health, "health", ["GET"] },
        { FunctionNames.OpenApi, "openapi.json", ["GET"] },
        { FunctionNames.NotFound, "{*path}", ["DELETE", "GET", "PATCH", "POST", "PUT"] },
    };

    [Fact]
    public void The_app_has_exactly_the_expected_functions_all_in_the_worker_assembly()
    {
        var names = Functions().Select(f => f.GetProperty("name").GetString()).Order().ToArray();
        Assert.Equal(new[]
        {
            FunctionNames.Drift, FunctionNames.FingerprintDownload, FunctionNames.FingerprintModel, FunctionNames.Health, FunctionNames.Match, FunctionNames.Model, FunctionNames.Models,
            FunctionNames.NotFound, FunctionNames.OpenApi, FunctionNames.QueueGauges, FunctionNames.Report, FunctionNames.ScoreBatch, FunctionNames.SweepFingerprints, FunctionNames.Verdicts,
        }.Order(), names);
        Assert.All(Functions(), f => Assert.Equal("NeuralFP.Functions.dll", Path.GetFileName(f.GetProperty("scriptFile").GetString())));
    }

    [Fact]
    public void Fingerprinting_is_a_blob_trigger_on_the_models_container_from_event_grid_bound_to_a_client()
    {
        var trigger = Assert.Single(Bindings(FunctionNames.FingerprintModel));
        Assert.Equal(("blobTrigger", "In"), (Text(trigger, "type"), Text(trigger, "direction")));
        Assert.Equal("%NeuralFP:ModelsContainer%/{name}", Text(trigger, "path"));
        Assert.Equal("EventGrid", Text(trigger, "source"));
        // A BlobClient is bound by reference (model binding data), never the blob's bytes.
        Assert.Equal("True", trigger.GetProperty("properties").GetProperty("supportsDeferredBinding").GetString());
    }

    [Fact]
    public void Batch_scoring_is_a_queue_trigger_on_score_requests_with_a_queue_output_to_score_results()
    {
        var bindings = Bindings(FunctionNames.ScoreBatch);
        Assert.Equal(2, bindings.Length);
        var trigger = Assert.Single(bindings, b => Text(b, "direction") == "In");
        var output = Assert.Single(bindings, b => Text(b, "direction") == "Out");
        Assert.Equal(("queueTrigger", "%NeuralFP:ScoreRequestsQueue%"), (Text(trigger, "type"), Text(trigger, "queueName")));
        Assert.Equal(("queue", "%NeuralFP:ScoreResultsQueue%", "$return"), (Text(output, "type"), Text(output, "queueName"), Text(output, "name")));
    }

    [Fact]
    public void Queue_gauges_are_a_timer_on_a_schedule_that_lets_the_app_scale_to_zero()
    {
        var trigger = Assert.Single(Bindings(FunctionNames.QueueGauges));
        Assert.Equal(("timerTrigger", "In", FunctionNames.QueueGaugesSchedule), (Text(trigger, "type"), Text(trigger, "direction"), Text(trigger, "schedule")));
        Assert.StartsWith("0 */", FunctionNames.QueueGaugesSchedule, StringComparison.Ordinal);
    }

    [Fact]
    public void The_fingerprint_sweep_is_a_timer_whose_schedule_is_a_setting_and_that_does_not_run_on_startup()
    {
        var trigger = Assert.Single(Bindings(FunctionNames.SweepFingerprints));
        Assert.Equal(("timerTrigger", "In", "%NeuralFP:SweepSchedule%"), (Text(trigger, "type"), Text(trigger, "direction"), Text(trigger, "schedule")));
        Assert.False(trigger.TryGetProperty("runOnStartup", out var startup) && startup.ValueKind == JsonValueKind.True);
        // The binding expression names the app setting the templates and run-local set.
        Assert.Equal(SettingNames.SweepSchedule, "NeuralFP__" + FunctionNames.SweepSchedule.Trim('%').Split(':')[1]);
    }

    [Theory]
    [MemberData(nameof(HttpFunctions))]
    public void Http_functions_have_their_route_methods_and_an_http_output(string name, string route, string[] methods)
    {
        var bindings = Bindings(name);
        var trigger = Assert.Single(bindings, b => Text(b, "type") == "httpTrigger");
        Assert.Equal(("In", route), (Text(trigger, "direction"), Text(trigger, "route")));
        Assert.Equal(methods, Methods(trigger));
        var output = Assert.Single(bindings, b => Text(b, "direction") == "Out");
        Assert.Equal("http", Text(output, "type"));
    }

    [Fact]
    public async Task The_openapi_document_describes_every_http_function_with_its_methods_and_nothing_else()
    {
        var document = JsonDocument.Parse(await new ApiDocument().GetJsonAsync(CancellationToken.None)).RootElement;
        var described = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(op => $"{op.Name.ToUpperInvariant()} {p.Name}"))
            .Order().ToArray();
        var functions = Functions()
            .Where(f => f.GetProperty("name").GetString() != FunctionNames.NotFound)
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray().Where(b => Text(b, "type") == "httpTrigger"))
            .SelectMany(b => Methods(b).Select(m => $"{m} /{Routes.Prefix}/{Text(b, "route")}"))
            .Order().ToArray();
        Assert.Equal(functions, described);
    }

    [Fact]
    public void Host_json_has_no_custom_handler_and_keeps_the_queue_and_route_settings()
    {
        var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppDirectory, "host.json"))).RootElement;
        Assert.False(host.TryGetProperty("customHandler", out _));
        Assert.Equal("api", host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        var queues = host.GetProperty("extensions").GetProperty("queues");
        Assert.Equal((5, "base64"), (queues.GetProperty("maxDequeueCount").GetInt32(), queues.GetProperty("messageEncoding").GetString()));
        Assert.Empty(Directory.GetFiles(AppDirectory, "function.json", SearchOption.AllDirectories));
    }
}
