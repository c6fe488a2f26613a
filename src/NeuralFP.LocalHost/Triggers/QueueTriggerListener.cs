using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using NeuralFP.LocalHost.Functions;
using NeuralFP.LocalHost.Rpc;

namespace NeuralFP.LocalHost.Triggers;

/// <summary>
/// Runs one queue-triggered function like the Functions host's queue listener, with host.json's extensions.queues:
/// receives up to batchSize messages (invisible while they run), deletes a message when its invocation succeeds,
/// makes it visible again after visibilityTimeout when it fails, and moves it to <c>&lt;queue&gt;-poison</c> once it
/// has been dequeued maxDequeueCount times. An idle queue is polled with back-off up to maxPollingInterval.
/// A received message is leased for <see cref="Lease"/> and the lease renewed while its invocation runs, so a message
/// whose delete or release was cut off by a storage outage is back within one short lease, not ten minutes.
/// </summary>
internal sealed class QueueTriggerListener : IAsyncDisposable
{
    private const string QueueSource = "AzureStorageQueues";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LeaseRenewal = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MinimumPollingInterval = TimeSpan.FromMilliseconds(100);

    private readonly string _functionName;
    private readonly FunctionBinding _trigger;
    private readonly FunctionInvoker _invoker;
    private readonly QueueSettings _settings;
    private readonly TimeSpan _maxPollingInterval;
    private readonly ILogger _logger;
    private readonly QueueClient _queue;
    private readonly QueueClient _poison;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public QueueTriggerListener(IndexedFunction function, FunctionInvoker invoker, AppSettings settings, QueueSettings queueSettings, TimeSpan pollInterval, ILogger logger)
    {
        _functionName = function.Name;
        _trigger = function.Trigger;
        _invoker = invoker;
        _settings = queueSettings;
        _maxPollingInterval = queueSettings.MaxPollingInterval < pollInterval ? queueSettings.MaxPollingInterval : pollInterval;
        _logger = logger;
        var queueName = settings.Resolve(_trigger.String("queueName") ?? throw new InvalidOperationException($"Queue trigger of '{function.Name}' has no queueName."));
        var connection = settings.ConnectionString(_trigger.String("connection"));
        _queue = new QueueClient(connection, queueName);
        _poison = new QueueClient(connection, queueName + "-poison");
    }

    public string QueueName => _queue.Name;

    public void Start() => _loop = Task.Run(ListenAsync);

    private async Task ListenAsync()
    {
        var token = _stop.Token;
        var idle = MinimumPollingInterval;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _queue.CreateIfNotExistsAsync(cancellationToken: token).ConfigureAwait(false);
                while (!token.IsCancellationRequested)
                {
                    QueueMessage[] messages = (await _queue.ReceiveMessagesAsync(Math.Clamp(_settings.BatchSize, 1, 32), Lease, token).ConfigureAwait(false)).Value;
                    if (messages.Length == 0)
                    {
                        await Task.Delay(idle, token).ConfigureAwait(false);
                        idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, _maxPollingInterval.Ticks));
                        continue;
                    }
                    idle = MinimumPollingInterval;
                    await Task.WhenAll(messages.Select(m => ProcessAsync(m, token))).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Queue '{Queue}' listener for '{Function}' failed; listening again.", _queue.Name, _functionName);
                await Task.Delay(_maxPollingInterval, token).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken token)
    {
        // A message dequeued too often (its invocations crashed the worker, say) goes to poison without running again.
        if (message.DequeueCount > _settings.MaxDequeueCount)
        {
            await PoisonAsync(message, message.PopReceipt, "it was dequeued more than maxDequeueCount times", token).ConfigureAwait(false);
            return;
        }
        string text;
        try
        {
            text = Decode(message);
        }
        catch (FormatException)
        {
            await PoisonAsync(message, message.PopReceipt, "its text is not base64 (host.json messageEncoding is base64)", token).ConfigureAwait(false);
            return;
        }
        InvocationResult result;
        var receipt = message.PopReceipt;
        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(token);
        var renewal = RenewLeaseAsync(message, r => receipt = r, () => receipt, renewing.Token);
        try
        {
            result = await _invoker.InvokeAsync(_functionName, (request, f) =>
            {
                request.InputData.Add(new ParameterBinding { Name = f.Trigger.Name, Data = Input(message, text) });
                request.TriggerMetadata.Add("QueueTrigger", text);
                request.TriggerMetadata.Add("Id", message.MessageId);
                request.TriggerMetadata.Add("PopReceipt", message.PopReceipt);
                // Numbers go as JSON: the worker's binding does not read TypedData.int.
                request.TriggerMetadata["DequeueCount"] = Typed.Json(message.DequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
                request.TriggerMetadata["InsertionTime"] = Typed.Json(JsonSerializer.Serialize(message.InsertedOn));
                request.TriggerMetadata["ExpirationTime"] = Typed.Json(JsonSerializer.Serialize(message.ExpiresOn));
                request.TriggerMetadata["NextVisibleTime"] = Typed.Json(JsonSerializer.Serialize(message.NextVisibleOn));
            }, null, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WorkerUnavailableException or RequestFailedException && !token.IsCancellationRequested)
        {
            result = new InvocationResult("", false, e.Message);
        }
        finally
        {
            await renewing.CancelAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(false);
        }
        try
        {
            if (result.Succeeded)
                await _queue.DeleteMessageAsync(message.MessageId, receipt, token).ConfigureAwait(false);
            else if (message.DequeueCount >= _settings.MaxDequeueCount)
                await PoisonAsync(message, receipt, $"its invocation failed {message.DequeueCount} times: {result.Error}", token).ConfigureAwait(false);
            else
                await _queue.UpdateMessageAsync(message.MessageId, receipt, visibilityTimeout: _settings.VisibilityTimeout, cancellationToken: token).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            _logger.LogWarning("Message {Id} on '{Queue}' was gone when '{Function}' finished with it (its lease ran out?).", message.MessageId, _queue.Name, _functionName);
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or TimeoutException && !token.IsCancellationRequested)
        {
            // Storage is down: the message becomes visible again when its short lease runs out and is handled then.
            _logger.LogWarning("Message {Id} on '{Queue}' could not be settled after '{Function}' ({Error}); it is back within {Lease}.", message.MessageId, _queue.Name, _functionName, e.Message, Lease);
        }
    }

    /// <summary>Keeps the message invisible while its invocation runs; a renewal that fails (storage down) is tried again next time.</summary>
    private async Task RenewLeaseAsync(QueueMessage message, Action<string> setReceipt, Func<string> receipt, CancellationToken token)
    {
        try
        {
            while (true)
            {
                await Task.Delay(LeaseRenewal, token).ConfigureAwait(false);
                try
                {
                    var updated = await _queue.UpdateMessageAsync(message.MessageId, receipt(), visibilityTimeout: Lease, cancellationToken: token).ConfigureAwait(false);
                    setReceipt(updated.Value.PopReceipt);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _logger.LogWarning("Lease of message {Id} on '{Queue}' not renewed: {Error}", message.MessageId, _queue.Name, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task PoisonAsync(QueueMessage message, string receipt, string reason, CancellationToken token)
    {
        _logger.LogError("Message {Id} on '{Queue}' moved to '{Poison}': {Reason}.", message.MessageId, _queue.Name, _poison.Name, reason);
        await _poison.CreateIfNotExistsAsync(cancellationToken: token).ConfigureAwait(false);
        await _poison.SendMessageAsync(message.MessageText, token).ConfigureAwait(false);
        await _queue.DeleteMessageAsync(message.MessageId, receipt, token).ConfigureAwait(false);
    }

    private string Decode(QueueMessage message) =>
        _settings.Base64 ? Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText)) : message.MessageText;

    /// <summary>A QueueMessage (model binding data) when the worker binds the SDK type, else the text (JSON-looking as json).</summary>
    private TypedData Input(QueueMessage message, string text)
    {
        if (!_trigger.SupportsDeferredBinding) return Typed.Text(text);
        var content = JsonSerializer.SerializeToUtf8Bytes(new
        {
            MessageId = message.MessageId, PopReceipt = message.PopReceipt, MessageText = text,
            Body = Convert.ToBase64String(Encoding.UTF8.GetBytes(text)),
            DequeueCount = message.DequeueCount, NextVisibleOn = message.NextVisibleOn, InsertedOn = message.InsertedOn, ExpiresOn = message.ExpiresOn,
        });
        return new TypedData
        {
            ModelBindingData = new ModelBindingData { Version = "1.0", Source = QueueSource, ContentType = "application/json", Content = ByteString.CopyFrom(content) },
        };
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
