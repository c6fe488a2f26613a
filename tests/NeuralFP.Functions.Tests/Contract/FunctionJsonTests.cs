using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Functions.Handlers;
using NeuralFP.Functions.LocalHost;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Contract;

/// <summary>The function.json and host.json files the Functions host reads declare what the handlers implement.</summary>
public sealed class FunctionJsonTests
{
    private static readonly FunctionCatalog Catalog = FunctionCatalog.Load(AppContext.BaseDirectory);

    [Fact]
    public void Every_function_folder_is_copied_to_the_output_with_its_trigger()
    {
        var triggers = Catalog.Functions.ToDictionary(f => f.Name, f => f.Trigger.Type);
        Assert.Equal(new Dictionary<string, string>
        {
            [FunctionNames.Drift] = "httpTrigger",
            [FunctionNames.FingerprintModel] = "blobTrigger",
            [FunctionNames.Health] = "httpTrigger",
            [FunctionNames.Match] = "httpTrigger",
            [FunctionNames.Models] = "httpTrigger",
            [FunctionNames.OpenApi] = "httpTrigger",
            [FunctionNames.Report] = "httpTrigger",
            [FunctionNames.ScoreBatch] = "queueTrigger",
            [FunctionNames.Verdicts] = "httpTrigger",
        }, triggers);
    }

    [Fact]
    public void Fingerprint_trigger_path_names_the_placeholders_the_handler_reads()
    {
        var trigger = Catalog[FunctionNames.FingerprintModel].Trigger;
        Assert.Equal(FunctionNames.BlobBinding, trigger.Name);
        Assert.Equal("AzureWebJobsStorage", trigger.Get("connection"));
        var pattern = BlobPathPattern.Parse(trigger.Get("path")!.Replace("%NeuralFP__ModelsContainer%", "models"));
        Assert.Equal("models", pattern.Container);
        Assert.Equal([FunctionNames.ModelIdPlaceholder, FunctionNames.FileNamePlaceholder], pattern.Placeholders);
    }

    [Fact]
    public void Score_batch_reads_the_request_binding_and_writes_the_summary_binding()
    {
        var function = Catalog[FunctionNames.ScoreBatch];
        Assert.Equal(FunctionNames.RequestBinding, function.Trigger.Name);
        Assert.Equal("%NeuralFP__ScoreRequestsQueue%", function.Trigger.Get("queueName"));
        var output = Assert.Single(function.Outputs);
        Assert.Equal((FunctionNames.SummaryBinding, "queue", "%NeuralFP__ScoreResultsQueue%"), (output.Name, output.Type, output.Get("queueName")));
    }

    [Fact]
    public void Flex_consumption_variant_uses_the_event_grid_blob_source()
    {
        var variant = FunctionCatalog.ParseFunction(FunctionNames.FingerprintModel,
            Path.Combine(AppContext.BaseDirectory, "variants", "flex-consumption", FunctionNames.FingerprintModel, "function.json"));
        Assert.Equal("EventGrid", variant.Trigger.Get("source"));
        Assert.Equal(Catalog[FunctionNames.FingerprintModel].Trigger.Get("path"), variant.Trigger.Get("path"));
    }

    [Fact]
    public void Service_bus_variant_keeps_the_binding_names_of_the_queue_function()
    {
        var variant = FunctionCatalog.ParseFunction(FunctionNames.ScoreBatch,
            Path.Combine(AppContext.BaseDirectory, "variants", "service-bus", FunctionNames.ScoreBatch, "function.json"));
        Assert.Equal(("serviceBusTrigger", FunctionNames.RequestBinding, "ServiceBusConnection"), (variant.Trigger.Type, variant.Trigger.Name, variant.Trigger.Get("connection")));
        Assert.Equal(FunctionNames.SummaryBinding, Assert.Single(variant.Outputs).Name);
    }

    [Fact]
    public void Service_bus_variant_forwards_alerts_from_the_alerts_queue_to_the_alerts_topic()
    {
        var variant = FunctionCatalog.ParseFunction(FunctionNames.PublishAlerts,
            Path.Combine(AppContext.BaseDirectory, "variants", "service-bus", FunctionNames.PublishAlerts, "function.json"));
        Assert.Equal(("queueTrigger", FunctionNames.AlertBinding, "%NeuralFP__AlertsQueue%"), (variant.Trigger.Type, variant.Trigger.Name, variant.Trigger.Get("queueName")));
        var output = Assert.Single(variant.Outputs);
        Assert.Equal(("serviceBus", FunctionNames.TopicBinding, "%NeuralFP__AlertsTopic%", "ServiceBusConnection"),
            (output.Type, output.Name, output.Get("topicName"), output.Get("connection")));
        // Not a default function: without Service Bus the alarms stay on the storage queue for their readers.
        Assert.DoesNotContain(Catalog.Functions, f => f.Name == FunctionNames.PublishAlerts);
    }

    [Fact]
    public void Host_json_forwards_http_and_sets_the_queue_retry_contract()
    {
        var handler = Catalog.HostJson["customHandler"]!;
        Assert.True(handler["enableForwardingHttpRequest"]!.GetValue<bool>());
        Assert.Equal("NeuralFP.Functions", handler["description"]!["defaultExecutablePath"]!.GetValue<string>());
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", Catalog.HostJson["extensionBundle"]!["id"]!.GetValue<string>());
        Assert.Equal(5, Catalog.Queues.MaxDequeueCount);
        Assert.True(Catalog.Queues.Base64);
        Assert.True(Catalog.Queues.VisibilityTimeout > TimeSpan.Zero);
    }

    [Fact]
    public async Task Every_http_trigger_route_is_served_by_the_app_with_its_auth_level()
    {
        await using var app = await TestApp.StartAsync(standalone: false);
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText!.TrimStart('/'))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var function in Catalog.Functions.Where(f => f.Trigger.Type == "httpTrigger"))
        {
            var route = "api/" + function.Trigger.Get("route")!;
            // An optional segment is two app routes: with and without it.
            var expected = route.Contains("{modelId?}", StringComparison.Ordinal)
                ? new[] { route.Replace("/{modelId?}", "", StringComparison.Ordinal), route.Replace("{modelId?}", "{modelId}", StringComparison.Ordinal) }
                : [route];
            foreach (var path in expected) Assert.Contains(path, routes);
            var anonymous = function.Name is FunctionNames.Health or FunctionNames.OpenApi;
            Assert.Equal(anonymous ? "anonymous" : "function", function.Trigger.Get("authLevel"));
        }
    }
}
