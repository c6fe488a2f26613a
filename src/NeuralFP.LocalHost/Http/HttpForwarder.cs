using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Logging;
using NeuralFP.LocalHost.Functions;
using NeuralFP.LocalHost.Rpc;
using NeuralFP.LocalHost.Worker;

namespace NeuralFP.LocalHost.Http;

/// <summary>
/// Serves the app's HTTP functions the way the Functions host does with ASP.NET Core integration: the request is
/// proxied to the worker's Kestrel with the invocation id in <c>x-ms-invocation-id</c>, while the InvocationRequest
/// (an empty RpcHttp plus route values, query and headers as trigger metadata) goes over gRPC. Keys are not checked
/// (like `func start`).
/// </summary>
internal sealed class HttpForwarder(
    WorkerSupervisor supervisor, FunctionInvoker invoker, HttpFunctionRoutes routes, ILogger logger) : IDisposable
{
    public const string InvocationIdHeader = "x-ms-invocation-id";
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
    };

    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    });

    public async Task HandleAsync(HttpContext context)
    {
        WorkerSession session;
        try
        {
            session = await supervisor.ReadyAsync(context.RequestAborted).WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await Problem(context, StatusCodes.Status503ServiceUnavailable, "The worker is not running.").ConfigureAwait(false);
            return;
        }
        if (routes.Match(session, context.Request) is not { } match)
        {
            if (context.Items.ContainsKey(HttpFunctionRoutes.MethodNotAllowedKey))
                await Problem(context, StatusCodes.Status405MethodNotAllowed, $"No function serves {context.Request.Method} {context.Request.Path}.").ConfigureAwait(false);
            else
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        if (session.HttpUri is null)
        {
            await Problem(context, StatusCodes.Status501NotImplemented,
                "The worker does not use ASP.NET Core integration (no HttpUri capability); the local host only forwards HTTP to it.").ConfigureAwait(false);
            return;
        }
        var (function, values) = match;
        try
        {
            await InvokeAsync(context, function, values).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WorkerUnavailableException or HttpRequestException && !context.Response.HasStarted)
        {
            logger.LogWarning("{Method} {Path}: {Error}", context.Request.Method, context.Request.Path, e.Message);
            await Problem(context, e is WorkerUnavailableException ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status502BadGateway,
                $"Function '{function.Name}' could not be reached: {e.Message}").ConfigureAwait(false);
        }
    }

    private async Task InvokeAsync(HttpContext context, IndexedFunction function, Microsoft.AspNetCore.Routing.RouteValueDictionary values)
    {
        var result = await invoker.InvokeAsync(function.Name, (request, f) =>
        {
            request.InputData.Add(new ParameterBinding { Name = f.Trigger.Name, Data = new TypedData { Http = new RpcHttp() } });
            foreach (var (key, value) in values) request.TriggerMetadata.Add(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
            request.TriggerMetadata["Query"] = Typed.Json(JsonSerializer.Serialize(context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString())));
            request.TriggerMetadata["Headers"] = Typed.Json(JsonSerializer.Serialize(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString())));
        }, (s, request) => ForwardAsync(context, s.HttpUri!, request.InvocationId), context.RequestAborted).ConfigureAwait(false);
        if (!result.Succeeded && !context.Response.HasStarted)
            await Problem(context, StatusCodes.Status500InternalServerError, $"Function '{function.Name}' failed: {result.Error}").ConfigureAwait(false);
    }

    private async Task ForwardAsync(HttpContext context, Uri workerUri, string invocationId)
    {
        var incoming = context.Request;
        using var outgoing = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(workerUri, incoming.PathBase + incoming.Path + incoming.QueryString));
        if (incoming.ContentLength is > 0 || incoming.Headers.TransferEncoding.Count > 0)
            outgoing.Content = new StreamContent(incoming.Body);
        foreach (var (name, value) in incoming.Headers)
        {
            if (HopByHop.Contains(name)) continue;
            if (!outgoing.Headers.TryAddWithoutValidation(name, value.ToArray()) && outgoing.Content is not null)
                outgoing.Content.Headers.TryAddWithoutValidation(name, value.ToArray());
        }
        outgoing.Headers.TryAddWithoutValidation("X-Forwarded-Host", incoming.Host.Value);
        outgoing.Headers.TryAddWithoutValidation("X-Forwarded-Proto", incoming.Scheme);
        outgoing.Headers.Remove(InvocationIdHeader);
        outgoing.Headers.TryAddWithoutValidation(InvocationIdHeader, invocationId);
        using var response = await _client.SendAsync(outgoing, context.RequestAborted).ConfigureAwait(false);
        var target = context.Response;
        target.StatusCode = (int)response.StatusCode;
        foreach (var (name, value) in response.Headers.Concat(response.Content.Headers))
        {
            if (HopByHop.Contains(name)) continue;
            target.Headers[name] = value.ToArray();
        }
        await response.Content.CopyToAsync(target.Body, context.RequestAborted).ConfigureAwait(false);
        logger.LogDebug("{Method} {Url} -> {Status} (invocation {InvocationId})", incoming.Method, incoming.GetDisplayUrl(), target.StatusCode, invocationId);
    }

    private static Task Problem(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new { type = "about:blank", title = "Local host", status, detail }, (JsonSerializerOptions?)null, "application/problem+json");
    }

    public void Dispose() => _client.Dispose();
}
