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
        // No diagnostics handler (an Activity and trace headers of the host's own per forward): the client's trace headers
        // are forwarded as they came and the invocation carries the trace context, as the Functions host sends it.
        ActivityHeadersPropagator = null,
    });

    public async Task HandleAsync(HttpContext context)
    {
        WorkerSession session;
        try
        {
            session = await supervisor.ReadyAsync(context.RequestAborted).WaitAsync(WorkerSupervisor.ReadyTimeout).ConfigureAwait(false);
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
            request.TriggerMetadata["Query"] = Typed.Json(StringMapJson.Write(context.Request.Query));
            request.TriggerMetadata["Headers"] = Typed.Json(StringMapJson.Write(context.Request.Headers));
        }, (s, request) => ForwardAsync(context, s.HttpUri!, request.InvocationId),
            // Not the client's abort token: a client that goes away (curl -f closes on a 4xx without reading the body)
            // made the host stop waiting and drop the worker's InvocationResponse ("nothing waits for"). The worker
            // answers every invocation it is sent (it gives up waiting for the HTTP request after 5 s), and a closed
            // worker stream fails the wait, so this wait is bounded.
            CancellationToken.None).ConfigureAwait(false);
        if (!result.Succeeded && !context.Response.HasStarted)
            await Problem(context, StatusCodes.Status500InternalServerError, $"Function '{function.Name}' failed: {result.Error}").ConfigureAwait(false);
    }

    private async Task ForwardAsync(HttpContext context, Uri workerUri, string invocationId)
    {
        var incoming = context.Request;
        using var response = await SendWithRetryAsync(context, workerUri, invocationId).ConfigureAwait(false);
        var target = context.Response;
        target.StatusCode = (int)response.StatusCode;
        CopyHeaders(response.Headers, target.Headers);
        CopyHeaders(response.Content.Headers, target.Headers);
        await response.Content.CopyToAsync(target.Body, context.RequestAborted).ConfigureAwait(false);
        if (logger.IsEnabled(LogLevel.Debug))
            logger.LogDebug("{Method} {Url} -> {Status} (invocation {InvocationId})", incoming.Method, incoming.GetDisplayUrl(), target.StatusCode, invocationId);
    }

    /// <summary>The worker's response headers onto the answer (hop-by-hop ones excepted), without a copy of each value list.</summary>
    private static void CopyHeaders(System.Net.Http.Headers.HttpHeaders from, IHeaderDictionary to)
    {
        foreach (var header in from.NonValidated)
        {
            if (HopByHop.Contains(header.Key)) continue;
            var values = header.Value;
            to[header.Key] = values.Count == 1 ? new Microsoft.Extensions.Primitives.StringValues(values.ToString()) : new Microsoft.Extensions.Primitives.StringValues(values.ToArray());
        }
    }

    /// <summary>
    /// Sends the request to the worker's Kestrel, trying again while the connection is refused: a worker that has just
    /// (re)started answers gRPC before its Kestrel listens (the Functions host retries the same way).
    /// </summary>
    private async Task<HttpResponseMessage> SendWithRetryAsync(HttpContext context, Uri workerUri, string invocationId)
    {
        var giveUp = DateTime.UtcNow + ConnectPatience;
        while (true)
        {
            using var outgoing = Outgoing(context, workerUri, invocationId);
            try
            {
                return await _client.SendAsync(outgoing, context.RequestAborted).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (e.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused } && DateTime.UtcNow < giveUp)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), context.RequestAborted).ConfigureAwait(false);
            }
        }
    }

    /// <summary>How long a refused connection is tried again (a loaded machine starts Kestrel slowly).</summary>
    private static readonly TimeSpan ConnectPatience = TimeSpan.FromSeconds(30);

    private static HttpRequestMessage Outgoing(HttpContext context, Uri workerUri, string invocationId)
    {
        var incoming = context.Request;
        var outgoing = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(workerUri, incoming.PathBase + incoming.Path + incoming.QueryString));
        // A body, or content headers without one (Content-Type on an empty body): both go on as sent.
        if (incoming.ContentLength is not null || incoming.Headers.TransferEncoding.Count > 0 || incoming.ContentType is not null)
            outgoing.Content = incoming.ContentLength == 0 ? new ByteArrayContent([]) : new StreamContent(new NonClosingStream(incoming.Body));
        foreach (var (name, value) in incoming.Headers)
        {
            if (HopByHop.Contains(name)) continue;
            // One value (the usual case) as a string: no array per header.
            if (value.Count == 1)
            {
                var single = value.ToString();
                if (!outgoing.Headers.TryAddWithoutValidation(name, single) && outgoing.Content is not null)
                    outgoing.Content.Headers.TryAddWithoutValidation(name, single);
            }
            else if (!outgoing.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value) && outgoing.Content is not null)
            {
                outgoing.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value);
            }
        }
        outgoing.Headers.TryAddWithoutValidation("X-Forwarded-Host", incoming.Host.Value);
        outgoing.Headers.TryAddWithoutValidation("X-Forwarded-Proto", incoming.Scheme);
        outgoing.Headers.Remove(InvocationIdHeader);
        outgoing.Headers.TryAddWithoutValidation(InvocationIdHeader, invocationId);
        return outgoing;
    }

    /// <summary>The request body, left open when a refused attempt's message is disposed, so the next attempt can send it.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static Task Problem(HttpContext context, int status, string detail)
    {
        context.Response.Clear(); // drop what a failed forward may have copied (Content-Length...)
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new { type = "about:blank", title = "Local host", status, detail }, (JsonSerializerOptions?)null, "application/problem+json");
    }

    public void Dispose() => _client.Dispose();
}
