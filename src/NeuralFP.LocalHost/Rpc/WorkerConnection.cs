using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace NeuralFP.LocalHost.Rpc;

/// <summary>
/// One worker's open EventStream: sends host messages one at a time and matches the worker's answers to the
/// requests waiting for them (by request id, function id or invocation id, as the protocol pairs them).
/// </summary>
internal sealed class WorkerConnection(IServerStreamWriter<StreamingMessage> output, ILogger logger)
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _abort = new();

    /// <summary>Cancelled when the host drops this worker: ends the stream even if the worker keeps it open.</summary>
    public CancellationToken Aborted => _abort.Token;

    public void Abort()
    {
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Ends when the stream ends (the worker went away or the host stopped).</summary>
    public Task Closed => _closed.Task;

    public async Task SendAsync(StreamingMessage message, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closed.Task.IsCompleted) throw new WorkerUnavailableException("The worker's stream is closed.");
            await output.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sends <paramref name="message"/> and waits for the answer paired with <paramref name="key"/>.</summary>
    public async Task<StreamingMessage> RequestAsync(string key, StreamingMessage message, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(key, answer)) throw new InvalidOperationException($"A request '{key}' is already waiting.");
        try
        {
            await SendAsync(message, cancellationToken).ConfigureAwait(false);
            return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(key, out _);
        }
    }

    /// <summary>Routes one message from the worker.</summary>
    public void Receive(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.RpcLog:
                Log(message.RpcLog);
                return;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                Complete(message.InvocationResponse.InvocationId, message);
                return;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
                Complete(message.FunctionLoadResponse.FunctionId, message);
                return;
            case StreamingMessage.ContentOneofCase.WorkerInitResponse:
            case StreamingMessage.ContentOneofCase.FunctionMetadataResponse:
                Complete(message.RequestId, message);
                return;
            default:
                logger.LogTrace("Ignored a {Kind} message from the worker.", message.ContentCase);
                return;
        }
    }

    public void Close()
    {
        _closed.TrySetResult();
        foreach (var pending in _pending.Values)
            pending.TrySetException(new WorkerUnavailableException("The worker's stream closed before it answered."));
    }

    private void Complete(string key, StreamingMessage message)
    {
        if (_pending.TryGetValue(key, out var waiting)) waiting.TrySetResult(message);
        else logger.LogWarning("The worker answered '{Key}', which nothing waits for.", key);
    }

    private void Log(RpcLog log)
    {
        var level = log.Level switch
        {
            RpcLog.Types.Level.Trace => LogLevel.Trace,
            RpcLog.Types.Level.Debug => LogLevel.Debug,
            RpcLog.Types.Level.Information => LogLevel.Information,
            RpcLog.Types.Level.Warning => LogLevel.Warning,
            RpcLog.Types.Level.Error => LogLevel.Error,
            RpcLog.Types.Level.Critical => LogLevel.Critical,
            _ => LogLevel.None,
        };
        if (log.Exception is { } e)
            logger.Log(level, "[{Category}] {Message} {Exception}", log.Category, log.Message, e.Message + Environment.NewLine + e.StackTrace);
        else
            logger.Log(level, "[{Category}] {Message}", log.Category, log.Message);
    }
}

/// <summary>The worker is not connected (starting, restarting or gone).</summary>
public sealed class WorkerUnavailableException(string message) : Exception(message);
