using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using NeuralFP.LocalHost.Rpc;

namespace NeuralFP.LocalHost.Functions;

/// <summary>
/// Writes the output bindings of an InvocationResponse the way the Functions host does. Queue outputs are written
/// (one message per item of a collection or JSON array); HTTP outputs are the worker's own (ASP.NET Core
/// integration); any other output type is reported as unsupported.
/// </summary>
internal sealed class OutputBindingWriter(AppSettings settings, QueueSettings queueSettings, ILogger logger)
{
    private readonly ConcurrentDictionary<(string Connection, string Queue), Task<QueueClient>> _queues = new();

    public async Task WriteAsync(IndexedFunction function, InvocationResponse response, CancellationToken cancellationToken)
    {
        foreach (var binding in function.Outputs)
        {
            var data = binding.Name == "$return"
                ? response.ReturnValue
                : response.OutputData.FirstOrDefault(o => o.Name == binding.Name)?.Data;
            if (data is null || data.DataCase == TypedData.DataOneofCase.None) continue;
            if (binding.Is("http")) continue;
            if (!binding.Is("queue"))
            {
                logger.LogWarning("Function '{Function}' returned a '{Type}' output ('{Name}'), which the local host does not write.", function.Name, binding.Type, binding.Name);
                continue;
            }
            var queueName = settings.Resolve(binding.String("queueName") ?? throw new InvalidOperationException($"Queue output '{binding.Name}' of '{function.Name}' has no queueName."));
            var queue = await QueueAsync(binding.String("connection"), queueName, cancellationToken).ConfigureAwait(false);
            foreach (var message in Messages(data))
                await queue.SendMessageAsync(Encode(message), cancellationToken).ConfigureAwait(false);
        }
    }

    private string Encode(byte[] message) => queueSettings.Base64 ? Convert.ToBase64String(message) : Encoding.UTF8.GetString(message);

    private static IEnumerable<byte[]> Messages(TypedData data)
    {
        switch (data.DataCase)
        {
            case TypedData.DataOneofCase.String:
                yield return Encoding.UTF8.GetBytes(data.String);
                break;
            case TypedData.DataOneofCase.Json:
                using (var json = JsonDocument.Parse(data.Json))
                {
                    if (json.RootElement.ValueKind == JsonValueKind.Array)
                        foreach (var item in json.RootElement.EnumerateArray())
                            yield return Encoding.UTF8.GetBytes(item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText());
                    else
                        yield return Encoding.UTF8.GetBytes(json.RootElement.ValueKind == JsonValueKind.String ? json.RootElement.GetString()! : data.Json);
                }
                break;
            case TypedData.DataOneofCase.Bytes:
                yield return data.Bytes.ToByteArray();
                break;
            case TypedData.DataOneofCase.CollectionString:
                foreach (var item in data.CollectionString.String) yield return Encoding.UTF8.GetBytes(item);
                break;
            case TypedData.DataOneofCase.CollectionBytes:
                foreach (var item in data.CollectionBytes.Bytes) yield return item.ToByteArray();
                break;
            case TypedData.DataOneofCase.Int:
                yield return Encoding.UTF8.GetBytes(data.Int.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case TypedData.DataOneofCase.Double:
                yield return Encoding.UTF8.GetBytes(data.Double.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            default:
                throw new NotSupportedException($"A queue output of kind {data.DataCase} is not supported by the local host.");
        }
    }

    private async Task<QueueClient> QueueAsync(string? connection, string queueName, CancellationToken cancellationToken)
    {
        var key = (connection ?? "", queueName);
        var created = _queues.GetOrAdd(key, k => CreateAsync(k.Connection, k.Queue));
        try
        {
            return await created.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (created.IsFaulted)
        {
            _queues.TryRemove(KeyValuePair.Create(key, created)); // try creating it again next time
            throw;
        }
    }

    private async Task<QueueClient> CreateAsync(string connection, string queueName)
    {
        var client = new QueueClient(settings.ConnectionString(connection), queueName);
        await client.CreateIfNotExistsAsync().ConfigureAwait(false);
        return client;
    }
}
