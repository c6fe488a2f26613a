using System.Text.Json;
using global::Azure.Messaging.ServiceBus;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Serialization;

namespace NeuralFP.Azure.ServiceBus;

/// <summary>Scored batches' summaries onto the summaries topic, one message per batch id (a redelivered batch has the same id).</summary>
public sealed class ServiceBusBatchSummaryPublisher(ServiceBusSender sender) : IBatchSummaryPublisher
{
    public const string Subject = "batch-scored";

    public Task PublishAsync(BatchSummary summary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var message = new ServiceBusMessage(JsonSerializer.SerializeToUtf8Bytes(summary, JsonDefaults.Options))
        {
            MessageId = summary.BatchId,
            Subject = Subject,
            ContentType = "application/json",
        };
        message.ApplicationProperties["modelId"] = summary.ModelId;
        return sender.SendMessageAsync(message, cancellationToken);
    }
}
