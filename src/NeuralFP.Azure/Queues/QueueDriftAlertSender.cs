using System.Text;
using System.Text.Json;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Serialization;
using NeuralFP.Azure.Configuration;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Azure.Queues;

/// <summary>Drift alarms onto the alerts storage queue (locally, and in Azure when no alerts topic is configured).</summary>
public sealed class QueueDriftAlertSender(StorageClients clients, StorageResilience resilience) : IDriftAlertSender
{
    public string Destination => clients.Alerts.Name;

    public async Task SendAsync(DriftAlert alert, CancellationToken cancellationToken)
    {
        // Base64, as host.json's messageEncoding says, so a queue-triggered consumer reads it as sent.
        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(alert, JsonDefaults.Options)));
        // A queue deleted under the running app is created again: the alarm stays owed until it is sent.
        try
        {
            await resilience.WriteCreatingAsync(async ct => await clients.Alerts.SendMessageAsync(body, ct).ConfigureAwait(false),
                async ct => await clients.Alerts.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (global::Azure.RequestFailedException e) when (StorageResilience.AsRejection(e, $"the alerts queue '{clients.Alerts.Name}'") is { } rejected)
        {
            throw rejected;
        }
    }
}
