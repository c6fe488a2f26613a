using NeuralFP.Application.Drift;

namespace NeuralFP.Application.Ports;

/// <summary>Where drift alarms go: a Service Bus topic in Azure, a storage queue locally. Delivery is at least once.</summary>
public interface IDriftAlertSender
{
    /// <summary>The queue or topic the alerts go to (for logs).</summary>
    string Destination { get; }

    Task SendAsync(DriftAlert alert, CancellationToken cancellationToken);
}
