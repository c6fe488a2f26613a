using System.Diagnostics;
using Google.Protobuf.Collections;
using Microsoft.Extensions.Logging;
using NeuralFP.LocalHost.Rpc;
using NeuralFP.LocalHost.Worker;

namespace NeuralFP.LocalHost.Functions;

/// <summary>Sends one InvocationRequest to the ready worker, waits for its InvocationResponse and writes its outputs.</summary>
internal sealed class FunctionInvoker(WorkerSupervisor supervisor, OutputBindingWriter outputs, ILogger logger)
{

    /// <summary>
    /// Invokes <paramref name="functionName"/>; <paramref name="beforeSend"/> runs once the invocation id is known and
    /// before the request goes out (HTTP forwarding starts there, as in the real host).
    /// </summary>
    public async Task<InvocationResult> InvokeAsync(
        string functionName, Action<InvocationRequest, IndexedFunction> fill,
        Func<WorkerSession, InvocationRequest, Task>? beforeSend, CancellationToken cancellationToken)
    {
        using var ready = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ready.CancelAfter(WorkerSupervisor.ReadyTimeout);
        WorkerSession session;
        try
        {
            session = await supervisor.ReadyAsync(ready.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WorkerUnavailableException($"No worker was ready within {WorkerSupervisor.ReadyTimeout.TotalSeconds:0} s.");
        }
        var function = session.Function(functionName);
        var request = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.Id,
            TraceContext = new RpcTraceContext { TraceParent = Activity.Current?.Id ?? NewTraceParent() },
        };
        fill(request, function);
        var answered = session.Connection.RequestAsync(request.InvocationId, new StreamingMessage
        {
            RequestId = Guid.NewGuid().ToString(),
            InvocationRequest = request,
        }, cancellationToken);
        // Only then what goes with it (the HTTP forward): its body pump can run inline for a whole batch, and the worker
        // starts the function only once it has both the invocation and the request.
        var send = beforeSend is null ? Task.CompletedTask : beforeSend(session, request);
        StreamingMessage answer;
        try
        {
            answer = await answered.ConfigureAwait(false);
        }
        catch
        {
            _ = send.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted); // observed: the invocation's failure is the one reported
            throw;
        }
        await send.ConfigureAwait(false);
        var response = answer.InvocationResponse;
        if (response.Result?.Status != StatusResult.Types.Status.Success)
        {
            var error = response.Result?.Exception?.Message ?? response.Result?.Result ?? "no result";
            logger.LogWarning("Function '{Function}' invocation {InvocationId} failed: {Error}", functionName, request.InvocationId, error);
            return new InvocationResult(request.InvocationId, false, error);
        }
        await outputs.WriteAsync(function, response, cancellationToken).ConfigureAwait(false);
        return new InvocationResult(request.InvocationId, true, null);
    }

    private static string NewTraceParent() => $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01";
}

/// <summary>How an invocation ended; <see cref="Error"/> is the worker's exception message on failure.</summary>
internal sealed record InvocationResult(string InvocationId, bool Succeeded, string? Error);

/// <summary>Helpers for the protocol's TypedData.</summary>
internal static class Typed
{
    public static TypedData String(string value) => new() { String = value };
    public static TypedData Json(string json) => new() { Json = json };

    /// <summary>Text the way the Functions host sends it: JSON-looking text as json, anything else as string.</summary>
    public static TypedData Text(string value)
    {
        var trimmed = value.AsSpan().Trim();
        return trimmed.Length > 1 && ((trimmed[0] == '{' && trimmed[^1] == '}') || (trimmed[0] == '[' && trimmed[^1] == ']'))
            ? Json(value)
            : String(value);
    }

    public static void Add(this MapField<string, TypedData> metadata, string key, string? value)
    {
        if (value is not null) metadata[key] = String(value);
    }
}
