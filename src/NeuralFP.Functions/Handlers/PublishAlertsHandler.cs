using System.Diagnostics;
using System.Text.Json;
using NeuralFP.Functions.Invocations;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Serialization;
using NeuralFP.Application.Telemetry;

namespace NeuralFP.Functions.Handlers;

/// <summary>
/// <c>POST /PublishAlerts</c> (the <c>service-bus</c> variant only): a drift alarm from the alerts queue, returned
/// unchanged as the Service Bus output so the host publishes it to the alerts topic. The app cannot send to Service
/// Bus itself (its SDK is not available to this build), so the host's output binding does it.
/// </summary>
internal static class PublishAlertsHandler
{
    public static async Task<IResult> HandleAsync(HttpRequest request, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(FunctionNames.PublishAlerts);
        using var invocation = await InvocationRequest.ReadAsync(request.Body, cancellationToken).ConfigureAwait(false);
        var message = invocation.GetDataString(FunctionNames.AlertBinding);
        if (message is null)
            return InvocationResults.Failed($"The invocation has no Data.{FunctionNames.AlertBinding} (the alert message).");
        var text = InvocationRequest.UnwrapMessage(message);
        DriftAlert? alert;
        try
        {
            alert = JsonSerializer.Deserialize<DriftAlert>(text, JsonDefaults.Options);
        }
        catch (JsonException e)
        {
            return InvocationResults.Failed($"The alert message is not a drift alarm: {e.Message}");
        }
        if (alert is null || string.IsNullOrEmpty(alert.ModelId))
            return InvocationResults.Failed("The alert message is not a drift alarm: it names no modelId.");
        TelemetryTags.Enrich(Activity.Current, alert.ModelId, alert.ModelVersion);
        logger.LogInformation("Drift alarm {AlarmId} of model {ModelId} forwarded to the alerts topic.", alert.AlarmId, alert.ModelId);
        return InvocationResults.Succeeded(new Dictionary<string, object?> { [FunctionNames.TopicBinding] = text }, null,
            $"Drift alarm {alert.AlarmId} of {alert.ModelId} published.");
    }
}
