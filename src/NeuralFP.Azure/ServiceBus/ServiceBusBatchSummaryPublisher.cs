using System.Text.Json;
using global::Azure.Messaging.ServiceBus;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Serialization;

namespace NeuralFP.Azure.ServiceBus;

/// <summary>
/// Scored batches' summaries and rejected requests onto the summaries topic, one message per batch id (a redelivered batch
/// has the same id; a rejection's id also says it was rejected, so a corrected request under the same batch id is not taken
/// for its duplicate).
/// </summary>
public sealed class ServiceBusBatchSummaryPublisher(ServiceBusSender sender) : IBatchSummaryPublisher
{
    public const string Subject = "batch-scored";
    public const string RejectedSubject = "batch-rejected";

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
        return ServiceBusRejections.SendAsync(sender, message, cancellationToken);
    }

    public Task PublishAsync(BatchRejection rejection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        var message = new ServiceBusMessage(JsonSerializer.SerializeToUtf8Bytes(rejection, JsonDefaults.Options))
        {
            MessageId = $"rejected/{rejection.MessageId}",
            Subject = RejectedSubject,
            ContentType = "application/json",
        };
        if (rejection.ModelId is not null) message.ApplicationProperties["modelId"] = rejection.ModelId;
        return ServiceBusRejections.SendAsync(sender, message, cancellationToken);
    }
}
