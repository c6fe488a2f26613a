using global::Azure.Messaging.ServiceBus;
using NeuralFP.Application.Errors;

namespace NeuralFP.Azure.ServiceBus;

/// <summary>
/// Service Bus's permanent refusals as the application's <see cref="StorageRejectedException"/>, the way
/// <c>StorageResilience.AsRejection</c> classifies storage's: no right to send, a topic that does not exist or is disabled,
/// a message too large. What the SDK calls transient (and has already retried) stays its own exception, so the caller
/// retries it later.
/// </summary>
internal static class ServiceBusRejections
{
    /// <summary>Sends through <paramref name="send"/>, turning a permanent refusal into a <see cref="StorageRejectedException"/>.</summary>
    public static async Task SendAsync(ServiceBusSender sender, ServiceBusMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await sender.SendMessageAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (AsRejection(e, $"the Service Bus topic '{sender.EntityPath}'") is { } rejected)
        {
            throw rejected;
        }
    }

    /// <summary>The refusal, or null when retrying may succeed (or the failure is not Service Bus's answer).</summary>
    public static StorageRejectedException? AsRejection(Exception exception, string target) => exception switch
    {
        UnauthorizedAccessException => new StorageRejectedException(target, 401, "Unauthorized",
            "the app's identity may not send there: grant its managed identity the Azure Service Bus Data Sender role on the topic or namespace", exception),
        ServiceBusException { IsTransient: true } => null,
        ServiceBusException { Reason: ServiceBusFailureReason.MessagingEntityNotFound } => new StorageRejectedException(target, 404, nameof(ServiceBusFailureReason.MessagingEntityNotFound),
            "the topic does not exist: create it, or correct the topic setting (NeuralFP__AlertsTopic, NeuralFP__SummariesTopic)", exception),
        ServiceBusException { Reason: ServiceBusFailureReason.MessagingEntityDisabled } => new StorageRejectedException(target, 403, nameof(ServiceBusFailureReason.MessagingEntityDisabled),
            "the topic is disabled: enable it (status Active)", exception),
        ServiceBusException { Reason: ServiceBusFailureReason.MessageSizeExceeded } => new StorageRejectedException(target, 413, nameof(ServiceBusFailureReason.MessageSizeExceeded),
            "the message is larger than the namespace's tier allows; this message is dropped (report it as a bug)", exception),
        ServiceBusException { Reason: ServiceBusFailureReason.QuotaExceeded } => new StorageRejectedException(target, 403, nameof(ServiceBusFailureReason.QuotaExceeded),
            "the topic is full (maximum size or subscription backlog): drain its subscriptions or raise the topic's maximum size", exception),
        _ => null,
    };
}
