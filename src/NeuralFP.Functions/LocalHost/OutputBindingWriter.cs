using System.Text;
using System.Text.Json;
using global::Azure.Storage.Queues;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Functions.LocalHost;

/// <summary>Writes a reply's <c>Outputs</c> to the function's declared output bindings (storage queues).</summary>
internal sealed class OutputBindingWriter(QueueServiceClient queues, StorageResilience resilience, BindingExpressions expressions, QueueSettings settings, ILogger logger)
{
    public async Task WriteAsync(FunctionDefinition function, InvocationReply reply, CancellationToken cancellationToken)
    {
        foreach (var binding in function.Outputs)
        {
            if (!reply.Outputs.TryGetValue(binding.Name, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                continue;
            if (!string.Equals(binding.Type, "queue", StringComparison.OrdinalIgnoreCase))
            {
                logger.LogWarning("{Function}: output binding {Binding} of type {Type} is not emulated locally; its value is dropped.", function.Name, binding.Name, binding.Type);
                continue;
            }
            var queueName = expressions.Resolve(binding.Get("queueName") ?? throw new InvalidOperationException($"{function.Name}: queue output {binding.Name} has no queueName."));
            var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            var body = settings.Base64 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) : text;
            var queue = queues.GetQueueClient(queueName);
            await resilience.ExecuteAsync(async ct => await queue.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            await resilience.ExecuteAsync(async ct => await queue.SendMessageAsync(body, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
    }
}
