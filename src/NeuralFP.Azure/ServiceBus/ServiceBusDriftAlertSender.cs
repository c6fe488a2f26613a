using System.Text.Json;
using global::Azure.Messaging.ServiceBus;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Serialization;

namespace NeuralFP.Azure.ServiceBus;

/// <summary>
/// Drift alarms onto the alerts topic. The message id is the alarm's identity (model and alarm number), so duplicate
/// detection on the topic, or any subscriber, can drop the redeliveries that at-least-once publishing allows.
/// </summary>
public sealed class ServiceBusDriftAlertSender(ServiceBusSender sender) : IDriftAlertSender
{
    public string Destination => sender.EntityPath;

    public Task SendAsync(DriftAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var message = new ServiceBusMessage(JsonSerializer.SerializeToUtf8Bytes(alert, JsonDefaults.Options))
        {
            MessageId = $"{alert.ModelId}/{alert.AlarmId}",
            Subject = alert.Kind,
            ContentType = "application/json",
        };
        message.ApplicationProperties["modelId"] = alert.ModelId;
        message.ApplicationProperties["modelVersion"] = alert.ModelVersion;
        return ServiceBusRejections.SendAsync(sender, message, cancellationToken);
    }
}
