using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NeuralFP.LocalHost.Functions;
using NeuralFP.LocalHost.Http;
using NeuralFP.LocalHost.Rpc;
using NeuralFP.LocalHost.Triggers;
using NeuralFP.LocalHost.Worker;

namespace NeuralFP.LocalHost;

/// <summary>
/// A development stand-in for the Azure Functions host: starts a .NET isolated worker, speaks the host's gRPC
/// protocol to it, serves its HTTP functions, delivers blob-created events and queue messages from the storage
/// account, fires its timers, and restarts the worker when it dies. Disposing it leaves no process behind.
/// </summary>
public sealed class LocalFunctionsHost : IAsyncDisposable
{
    private const string GrpcPathPrefix = "/AzureFunctionsRpcMessages.FunctionRpc";
    private readonly WebApplication _app;
    private readonly WorkerSupervisor _supervisor;
    private readonly HttpForwarder _forwarder;
    private readonly IReadOnlyList<IAsyncDisposable> _triggers;
    private readonly IReadOnlyDictionary<string, TimerTrigger> _timers;
    private int _disposed;

    private LocalFunctionsHost(WebApplication app, WorkerSupervisor supervisor, HttpForwarder forwarder, Uri httpAddress,
        IReadOnlyList<string> functionNames, IReadOnlyList<IAsyncDisposable> triggers, IReadOnlyDictionary<string, TimerTrigger> timers)
    {
        _app = app;
        _supervisor = supervisor;
        _forwarder = forwarder;
        HttpAddress = httpAddress;
        FunctionNames = functionNames;
        _triggers = triggers;
        _timers = timers;
    }

    /// <summary>Where the host serves the app's HTTP functions, e.g. http://127.0.0.1:41234/.</summary>
    public Uri HttpAddress { get; }

    /// <summary>The functions as the worker indexed them.</summary>
    public IReadOnlyList<string> FunctionNames { get; }

    /// <summary>The worker's process id (null in process, or while the worker restarts).</summary>
    public int? WorkerProcessId => _supervisor.Current?.Worker.ProcessId;

    public static async Task<LocalFunctionsHost> StartAsync(LocalHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger("NeuralFP.LocalHost");
        var hostJson = HostJson.Load(options.HostJsonPath ?? Path.Combine(options.Worker.AppDirectory, "host.json"));
        var settings = new AppSettings(options.WorkerSettings, options.StorageConnectionString);

        var (app, grpcListen, httpListen) = BuildApp(options, loggerFactory);
        var registry = app.Services.GetRequiredService<WorkerRegistry>();
        HttpForwarder? forwarder = null;
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(GrpcPathPrefix) || forwarder is null) await next(context);
            else await forwarder.HandleAsync(context);
        });
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        WorkerSupervisor? supervisor = null;
        var triggers = new List<IAsyncDisposable>();
        try
        {
            var grpcUri = new Uri($"http://127.0.0.1:{grpcListen()}/");
            var httpAddress = new Uri($"http://{HostName(options.HttpUrl)}:{httpListen()}/");
            var workerSettings = new Dictionary<string, string?>(options.WorkerSettings);
            workerSettings.TryAdd(AppSettings.StorageSetting, options.StorageConnectionString);
            supervisor = new WorkerSupervisor(options.Worker, registry, workerSettings, grpcUri, logger);
            var session = await supervisor.StartAsync(cancellationToken).ConfigureAwait(false);

            var invoker = new FunctionInvoker(supervisor, new OutputBindingWriter(settings, hostJson.Queues, logger), logger);
            forwarder = new HttpForwarder(supervisor, invoker, new HttpFunctionRoutes(settings, hostJson.RoutePrefix), logger);
            var timers = new Dictionary<string, TimerTrigger>(StringComparer.OrdinalIgnoreCase);
            foreach (var function in session.Functions)
            {
                var trigger = function.Trigger;
                if (trigger.Is("blobTrigger"))
                {
                    var source = new BlobEventSource(function, invoker, settings, hostJson, options.BlobPollInterval, logger);
                    triggers.Add(source);
                    source.Start();
                }
                else if (trigger.Is("queueTrigger"))
                {
                    var listener = new QueueTriggerListener(function, invoker, settings, hostJson.Queues, options.QueuePollInterval, logger);
                    triggers.Add(listener);
                    listener.Start();
                }
                else if (trigger.Is("timerTrigger"))
                {
                    var timer = new TimerTrigger(function, invoker, settings, logger);
                    triggers.Add(timer);
                    timers[function.Name] = timer;
                    timer.Start();
                }
                else if (!trigger.Is("httpTrigger"))
                {
                    logger.LogWarning("Function '{Function}' has a '{Type}' trigger, which the local host does not run.", function.Name, trigger.Type);
                }
            }
            logger.LogInformation("Local Functions host serving {Address} ({Count} functions).", httpAddress, session.Functions.Count);
            return new LocalFunctionsHost(app, supervisor, forwarder, httpAddress, session.Functions.Select(f => f.Name).ToArray(), triggers, timers);
        }
        catch
        {
            foreach (var trigger in triggers) await trigger.DisposeAsync().ConfigureAwait(false);
            if (supervisor is not null) await supervisor.DisposeAsync().ConfigureAwait(false);
            forwarder?.Dispose();
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Kills the worker process (kill -9; cancels an in-process worker); the host starts a new one by itself.</summary>
    public Task KillWorkerAsync() => _supervisor.KillAsync();

    /// <summary>
    /// Stops the worker gracefully, as a scale-in does (SIGTERM to the process: its host stops its services, which finish
    /// their work, then it exits; cancels an in-process worker), and returns once it has exited; the host starts a new one.
    /// </summary>
    public Task TerminateWorkerAsync() => _supervisor.TerminateAsync();

    /// <summary>Fires a timer function now and waits for it; throws when the function fails.</summary>
    public async Task InvokeTimerAsync(string functionName, CancellationToken cancellationToken = default)
    {
        if (!_timers.TryGetValue(functionName, out var timer))
            throw new ArgumentException($"'{functionName}' is not a timer function (timers: {string.Join(", ", _timers.Keys)}).", nameof(functionName));
        var result = await timer.InvokeAsync(isPastDue: false, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded) throw new InvalidOperationException($"Timer function '{functionName}' failed: {result.Error}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        var failures = new List<Exception>();
        foreach (var trigger in _triggers)
        {
            try
            {
                await trigger.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failures.Add(e); // the worker must still be stopped below
            }
        }
        await _supervisor.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _forwarder.Dispose();
        if (failures.Count > 0) throw new AggregateException("Stopping the host's triggers failed.", failures);
    }

    private static int Port(ListenOptions? listen) =>
        (listen?.IPEndPoint ?? throw new InvalidOperationException("Kestrel did not bind the host's ports.")).Port;

    private static (WebApplication App, Func<int> GrpcPort, Func<int> HttpPort) BuildApp(LocalHostOptions options, ILoggerFactory loggerFactory)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(LocalFunctionsHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILoggerFactory>(new QuietLoggerFactory(loggerFactory));
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton<WorkerRegistry>();
        NeuralFP.Hosting.LargeBlockMemoryPoolRegistration.AddLargeBlockMemoryPool(builder.Services);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        // A library does not take the process's Ctrl+C / SIGTERM: whoever owns the host disposes it.
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        ListenOptions? grpcListen = null, httpListen = null;
        var http = new Uri(options.HttpUrl);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            // A little under Kestrel's defaults (32 KiB, 100 headers), so a request forwarded with the host's three
            // headers added still fits a worker's Kestrel at its defaults: the worker never rejects what the host let in.
            kestrel.Limits.MaxRequestHeadersTotalSize = ForwardedHeadersLimit;
            kestrel.Limits.MaxRequestHeaderCount = ForwardedHeaderCountLimit;
            // The worker's gRPC channel speaks HTTP/2 without TLS (prior knowledge), so its port is HTTP/2 only.
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                grpcListen = listen;
            });
            kestrel.Listen(Address(http.Host), http.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1; // no TLS here, so no HTTP/2 negotiation either
                RejectionProblemWriter.Use(listen, kestrel.Limits);
                httpListen = listen;
            });
        });
        var app = builder.Build();
        // Kestrel applies this configuration, and binds port 0 to a real port, when the app starts.
        return (app, () => Port(grpcListen), () => Port(httpListen));
    }

    internal const int ForwardedHeadersLimit = 31 * 1024;
    internal const int ForwardedHeaderCountLimit = 96;

    private static IPAddress Address(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "+" or "0.0.0.0" => IPAddress.Any,
        _ => IPAddress.Parse(host),
    };

    private static string HostName(string url)
    {
        var host = new Uri(url).Host;
        return host is "*" or "+" or "0.0.0.0" ? "127.0.0.1" : host;
    }

    /// <summary>A host lifetime that leaves the process's signals to the application.</summary>
    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
