using System.Text;
using global::Azure.Storage.Queues;
using global::Azure.Storage.Queues.Models;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Functions.LocalHost;

/// <summary>
/// Emulates a queueTrigger as the Functions host runs it: receives up to batchSize messages under a lease,
/// decodes them (base64 unless messageEncoding is none), invokes the function for each, writes its
/// outputs and deletes the message on success. On failure the message becomes visible again after a
/// back-off; once it has been dequeued maxDequeueCount times it moves to <c>{queue}-poison</c>, and the
/// reason is logged.
/// </summary>
internal sealed class QueueTriggerListener(
    FunctionDefinition function,
    QueueClient queue,
    QueueClient poison,
    StorageResilience resilience,
    InvocationClient invoker,
    OutputBindingWriter outputs,
    QueueSettings queues,
    LocalHostSettings settings,
    ILogger logger)
{
    // Long enough for a large batch; the message is released early (back-off) or deleted when done.
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await resilience.ExecuteAsync(async ct => await queue.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await resilience.ExecuteAsync(async ct => await poison.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        logger.LogInformation("{Function}: listening on queue {Queue} (poison {Poison}, maxDequeueCount {Max}, encoding {Encoding}).", function.Name, queue.Name, poison.Name, queues.MaxDequeueCount, queues.MessageEncoding);
        var maxDelay = settings.PollInterval < queues.MaxPollingInterval ? settings.PollInterval : queues.MaxPollingInterval;
        var delay = TimeSpan.FromMilliseconds(Math.Min(50, maxDelay.TotalMilliseconds));
        while (!cancellationToken.IsCancellationRequested)
        {
            QueueMessage[] messages;
            try
            {
                messages = await resilience.ExecuteAsync(async ct =>
                    (await queue.ReceiveMessagesAsync(Math.Clamp(queues.BatchSize, 1, 32), Lease, ct).ConfigureAwait(false)).Value, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "{Function}: receiving from {Queue} failed; trying again.", function.Name, queue.Name);
                messages = [];
            }
            if (messages.Length == 0)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, maxDelay.TotalMilliseconds));
                continue;
            }
            delay = TimeSpan.FromMilliseconds(Math.Min(50, maxDelay.TotalMilliseconds));
            await Task.WhenAll(messages.Select(m => ProcessAsync(m, cancellationToken))).ConfigureAwait(false);
        }
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            if (message.DequeueCount > queues.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, "it was dequeued more often than maxDequeueCount", cancellationToken).ConfigureAwait(false);
                return;
            }
            InvocationReply reply;
            if (!TryDecode(message.MessageText, out var text))
            {
                reply = new InvocationReply(400, new Dictionary<string, System.Text.Json.JsonElement>(), ["The message is not base64 text, but host.json sets messageEncoding to base64."], "");
            }
            else
            {
                var payload = InvocationPayloads.QueueMessage(function.Name, function.Trigger.Name, text, message.MessageId, message.PopReceipt,
                    message.DequeueCount, message.InsertedOn, message.ExpiresOn, message.NextVisibleOn);
                reply = await invoker.InvokeAsync(function.Name, payload, cancellationToken).ConfigureAwait(false);
            }
            foreach (var log in reply.Logs) logger.LogInformation("{Function} message {MessageId}: {Log}", function.Name, message.MessageId, log);

            if (reply.Succeeded)
            {
                await outputs.WriteAsync(function, reply, cancellationToken).ConfigureAwait(false);
                await resilience.ExecuteAsync(async ct => await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                return;
            }
            if (message.DequeueCount >= queues.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, reply.Reason, cancellationToken).ConfigureAwait(false);
                return;
            }
            var backoff = Backoff.For(message.DequeueCount, queues.VisibilityTimeout, settings.MaxBackoff);
            logger.LogWarning("{Function} message {MessageId}: attempt {Attempt} of {Max} failed, retrying in {Backoff}: {Reason}",
                function.Name, message.MessageId, message.DequeueCount, queues.MaxDequeueCount, backoff, reply.Reason);
            await resilience.ExecuteAsync(async ct => await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: backoff, cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The lease runs out and the message comes back: nothing is lost.
            logger.LogError(e, "{Function} message {MessageId}: could not be handled; it will reappear when its lease ends.", function.Name, message.MessageId);
        }
    }

    private async Task MoveToPoisonAsync(QueueMessage message, string reason, CancellationToken cancellationToken)
    {
        // The reason goes to the log (before the move, so it is there by the time anyone sees the poison
        // message); the original body goes to the poison queue unchanged, as the Functions host does.
        logger.LogError("{Function} message {MessageId} goes to {Poison} after {Count} attempts. Reason: {Reason}",
            function.Name, message.MessageId, poison.Name, message.DequeueCount, reason);
        await resilience.ExecuteAsync(async ct => await poison.SendMessageAsync(message.MessageText, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await resilience.ExecuteAsync(async ct => await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    private bool TryDecode(string raw, out string text)
    {
        if (!queues.Base64)
        {
            text = raw;
            return true;
        }
        var buffer = new byte[raw.Length];
        if (Convert.TryFromBase64String(raw, buffer, out var written))
        {
            text = Encoding.UTF8.GetString(buffer, 0, written);
            return true;
        }
        text = raw;
        return false;
    }
}
