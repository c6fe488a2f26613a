using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using NeuralFP.LocalHost.Functions;
using NeuralFP.LocalHost.Rpc;

namespace NeuralFP.LocalHost.Triggers;

/// <summary>
/// The Event Grid stand-in for one blob-triggered function: lists the path's container every poll interval and
/// delivers each new or changed blob (by ETag) once. A failed delivery is retried with back-off for that blob only;
/// after maxDequeueCount attempts a poison message goes to <c>webjobs-blobtrigger-poison</c>. A receipt blob per
/// ETag (as the Functions host keeps in azure-webjobs-hosts) makes "once" hold across host restarts.
/// </summary>
internal sealed class BlobEventSource : IAsyncDisposable
{
    public const string PoisonQueue = "webjobs-blobtrigger-poison";
    private const string ReceiptsContainer = "azure-webjobs-hosts";
    private const string BlobSource = "AzureStorageBlobs";

    private readonly string _functionName;
    private readonly FunctionBinding _trigger;
    private readonly BlobPath _path;
    private readonly FunctionInvoker _invoker;
    private readonly int _maxAttempts;
    private readonly TimeSpan _pollInterval;
    private readonly ILogger _logger;
    private readonly BlobContainerClient _container;
    private readonly BlobContainerClient _receipts;
    private readonly QueueClient _poison;
    private readonly SemaphoreSlim _parallelism;
    private readonly ConcurrentDictionary<string, BlobState> _blobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _deliveries = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public BlobEventSource(IndexedFunction function, FunctionInvoker invoker, AppSettings settings, HostJson hostJson, TimeSpan pollInterval, ILogger logger)
    {
        _functionName = function.Name;
        _trigger = function.Trigger;
        _path = BlobPath.Parse(settings.Resolve(_trigger.String("path") ?? throw new InvalidOperationException($"Blob trigger of '{function.Name}' has no path.")));
        _invoker = invoker;
        _maxAttempts = Math.Max(1, hostJson.Queues.MaxDequeueCount);
        _pollInterval = pollInterval;
        _logger = logger;
        var connection = settings.ConnectionString(_trigger.String("connection"));
        _container = new BlobContainerClient(connection, _path.Container);
        _receipts = new BlobContainerClient(settings.StorageConnectionString, ReceiptsContainer);
        _poison = new QueueClient(settings.StorageConnectionString, PoisonQueue);
        _parallelism = new SemaphoreSlim(Math.Max(1, hostJson.BlobParallelism));
        if (!string.Equals(_trigger.String("source"), "EventGrid", StringComparison.OrdinalIgnoreCase))
            logger.LogWarning("Blob trigger '{Function}' uses the polling source; the local host delivers blob-created events (as with Source = EventGrid) for it too.", function.Name);
    }

    public string Container => _path.Container;

    public void Start() => _loop = Task.Run(PollAsync);

    private async Task PollAsync()
    {
        try
        {
            await PollUntilStoppedAsync(_stop.Token).ConfigureAwait(false);
        }
        // Once the stop is requested, whatever a storage call in flight ends with is the stop's doing: the Azure SDK can
        // report it as an AggregateException of its attempts rather than as a cancellation (a CI run's outage test stopped
        // the host during such a retry, and the stop failed).
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task PollUntilStoppedAsync(CancellationToken token)
    {
        var containersMade = false;
        while (!token.IsCancellationRequested)
        {
            try
            {
                // Inside the loop: storage that is down when the host starts must not end the polling for good.
                if (!containersMade)
                {
                    await _receipts.CreateIfNotExistsAsync(cancellationToken: token).ConfigureAwait(false);
                    await _poison.CreateIfNotExistsAsync(cancellationToken: token).ConfigureAwait(false);
                    containersMade = true;
                }
                await foreach (var blob in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = _path.Prefix }, token).ConfigureAwait(false))
                {
                    if (!_path.TryMatch(blob.Name, out var parameter)) continue;
                    Consider(blob, parameter);
                }
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // The container does not exist yet: nothing was uploaded.
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                _logger.LogWarning(e, "Listing container '{Container}' for '{Function}' failed.", _path.Container, _functionName);
            }
            await Task.Delay(_pollInterval, token).ConfigureAwait(false);
        }
    }

    private void Consider(BlobItem blob, string? parameter)
    {
        var etag = blob.Properties.ETag?.ToString().Trim('"') ?? "";
        var state = _blobs.AddOrUpdate(blob.Name, _ => new BlobState(etag), (_, existing) => existing.ETag == etag ? existing : new BlobState(etag));
        lock (state)
        {
            if (state.Done || state.InFlight || DateTimeOffset.UtcNow < state.NextAttempt) return;
            state.InFlight = true;
        }
        var delivery = Task.Run(() => DeliverAsync(blob.Name, parameter, blob.Properties, state));
        _deliveries.TryAdd(delivery, 0);
        delivery.ContinueWith(t => _deliveries.TryRemove(t, out _), TaskScheduler.Default);
    }

    private async Task DeliverAsync(string blobName, string? parameter, BlobItemProperties properties, BlobState state)
    {
        var token = _stop.Token;
        var done = false;
        try
        {
            await _parallelism.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            var receipt = _receipts.GetBlobClient($"blobreceipts/localhost/{_functionName}/{state.ETag}/{_path.Container}/{blobName}");
            if (state.Attempts == 0 && await receipt.ExistsAsync(token).ConfigureAwait(false))
            {
                done = true;
                return;
            }
            state.Attempts++;
            InvocationResult result;
            try
            {
                var input = await InputAsync(blobName, token).ConfigureAwait(false);
                result = await _invoker.InvokeAsync(_functionName, (request, f) =>
                {
                    request.InputData.Add(new ParameterBinding { Name = f.Trigger.Name, Data = input });
                    var blob = _container.GetBlobClient(blobName);
                    request.TriggerMetadata.Add("BlobTrigger", $"{_path.Container}/{blobName}");
                    request.TriggerMetadata.Add("Uri", blob.Uri.AbsoluteUri);
                    request.TriggerMetadata["Properties"] = Typed.Json(JsonSerializer.Serialize(new
                    {
                        properties.ContentType, properties.ContentLength, ETag = state.ETag, properties.LastModified, properties.CreatedOn,
                        BlobType = properties.BlobType?.ToString(),
                    }));
                    request.TriggerMetadata["Metadata"] = Typed.Json("{}");
                    if (_path.Parameter is not null) request.TriggerMetadata.Add(_path.Parameter, parameter);
                }, null, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WorkerUnavailableException or RequestFailedException && !token.IsCancellationRequested)
            {
                result = new InvocationResult("", false, e.Message);
            }
            if (result.Succeeded)
            {
                await receipt.UploadAsync(BinaryData.FromString(result.InvocationId), overwrite: true, token).ConfigureAwait(false);
                done = true;
            }
            else if (state.Attempts >= _maxAttempts)
            {
                _logger.LogError("Blob '{Container}/{Blob}' failed {Attempts} times in '{Function}'; poison message sent to {Queue}: {Error}",
                    _path.Container, blobName, state.Attempts, _functionName, PoisonQueue, result.Error);
                var poison = JsonSerializer.Serialize(new
                {
                    Type = "BlobTrigger", FunctionId = _functionName, BlobType = "BlockBlob", ContainerName = _path.Container,
                    BlobName = blobName, ETag = state.ETag,
                });
                await _poison.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(poison)), token).ConfigureAwait(false);
                await receipt.UploadAsync(BinaryData.FromString("poison"), overwrite: true, token).ConfigureAwait(false);
                done = true;
            }
            else
            {
                var backOff = TimeSpan.FromTicks(Math.Min(_pollInterval.Ticks << Math.Min(state.Attempts - 1, 16), TimeSpan.FromMinutes(1).Ticks));
                state.NextAttempt = DateTimeOffset.UtcNow + backOff;
                _logger.LogWarning("Blob '{Container}/{Blob}' failed in '{Function}' (attempt {Attempt} of {Max}); retrying in {BackOff}.",
                    _path.Container, blobName, _functionName, state.Attempts, _maxAttempts, backOff);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Delivering blob '{Container}/{Blob}' to '{Function}' failed; it will be tried again.", _path.Container, blobName, _functionName);
            state.NextAttempt = DateTimeOffset.UtcNow + _pollInterval;
        }
        finally
        {
            _parallelism.Release();
            lock (state)
            {
                state.Done = done;
                state.InFlight = false;
            }
        }
    }

    /// <summary>A BlobClient (model binding data) when the worker binds an SDK type, else the blob's bytes.</summary>
    private async Task<TypedData> InputAsync(string blobName, CancellationToken token)
    {
        if (_trigger.SupportsDeferredBinding)
        {
            var content = JsonSerializer.SerializeToUtf8Bytes(new
            {
                Connection = string.IsNullOrEmpty(_trigger.String("connection")) ? AppSettings.StorageSetting : _trigger.String("connection"),
                ContainerName = _path.Container,
                BlobName = blobName,
            });
            return new TypedData
            {
                ModelBindingData = new ModelBindingData
                {
                    Version = "1.0", Source = BlobSource, ContentType = "application/json", Content = ByteString.CopyFrom(content),
                },
            };
        }
        var download = await _container.GetBlobClient(blobName).DownloadContentAsync(token).ConfigureAwait(false);
        return new TypedData { Bytes = ByteString.CopyFrom(download.Value.Content.ToMemory().Span) };
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        await Task.WhenAll(_deliveries.Keys).ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed class BlobState(string etag)
    {
        public string ETag { get; } = etag;
        public int Attempts { get; set; }
        public bool Done { get; set; }
        public bool InFlight { get; set; }
        public DateTimeOffset NextAttempt { get; set; }
    }
}
