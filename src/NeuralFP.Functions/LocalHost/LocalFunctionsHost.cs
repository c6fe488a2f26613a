using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using NeuralFP.Functions.Hosting;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Configuration;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Functions.LocalHost;

/// <summary>
/// The Functions host's part, for machines without it: reads the function.json files and drives the
/// app's own invocation endpoints over loopback from storage (blob changes, queue messages). HTTP
/// functions need nothing: the app serves them at their routes already.
/// </summary>
internal sealed class LocalFunctionsHost(
    FunctionCatalog catalog,
    LocalHostSettings settings,
    StorageClients clients,
    StorageOptions storageOptions,
    StorageResilience resilience,
    StorageInitializer initializer,
    ApiOptions api,
    IConfiguration configuration,
    IServer server,
    IHostApplicationLifetime lifetime,
    IHttpClientFactory httpClients,
    ILoggerFactory loggers) : BackgroundService
{
    public const string HttpClientName = "local-functions-host";

    private readonly ILogger _logger = loggers.CreateLogger("LocalHost");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WhenStartedAsync(stoppingToken).ConfigureAwait(false);
        await initializer.Ready.WaitAsync(stoppingToken).ConfigureAwait(false);
        var invoker = new InvocationClient(httpClients.CreateClient(HttpClientName), HandlerAddress(), api.FunctionKey);
        var expressions = new BindingExpressions(configuration, storageOptions);
        var outputs = new OutputBindingWriter(clients.Queues, resilience, expressions, catalog.Queues, _logger);

        var listeners = new List<Task>();
        foreach (var function in catalog.Functions)
        {
            var trigger = function.Trigger;
            var logger = loggers.CreateLogger("LocalHost." + function.Name);
            switch (trigger.Type.ToLowerInvariant())
            {
                case "blobtrigger":
                    CheckConnection(function, trigger);
                    var pattern = BlobPathPattern.Parse(expressions.Resolve(trigger.Get("path") ?? throw new InvalidOperationException($"{function.Name}: blobTrigger has no path.")));
                    if (string.Equals(trigger.Get("source"), "EventGrid", StringComparison.OrdinalIgnoreCase))
                        _logger.LogInformation("{Function}: Event Grid blob source emulated by polling (Azurite has no Event Grid).", function.Name);
                    listeners.Add(new BlobTriggerListener(function, pattern, clients.Blobs, clients, resilience, invoker, catalog.Queues, settings, logger).RunAsync(stoppingToken));
                    break;
                case "queuetrigger":
                    CheckConnection(function, trigger);
                    var queueName = expressions.Resolve(trigger.Get("queueName") ?? throw new InvalidOperationException($"{function.Name}: queueTrigger has no queueName."));
                    var queue = clients.Queues.GetQueueClient(queueName);
                    var poison = clients.Queues.GetQueueClient(queueName + StorageOptions.PoisonSuffix);
                    listeners.Add(new QueueTriggerListener(function, queue, poison, resilience, invoker, outputs, catalog.Queues, settings, logger).RunAsync(stoppingToken));
                    break;
                case "httptrigger":
                    _logger.LogInformation("{Function}: HTTP {Methods} /api/{Route} served directly.", function.Name, trigger.Get("methods"), trigger.Get("route"));
                    break;
                default:
                    _logger.LogWarning("{Function}: trigger type {Type} is not emulated locally; the function will not run here.", function.Name, trigger.Type);
                    break;
            }
        }
        _logger.LogInformation("Local host running {Count} functions from {ScriptRoot}; handler at {Address}.", catalog.Functions.Count, catalog.ScriptRoot, HandlerAddress());
        try
        {
            await Task.WhenAll(listeners).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static void CheckConnection(FunctionDefinition function, BindingDefinition trigger)
    {
        var connection = trigger.Get("connection");
        if (connection is not null && connection != SettingNames.Storage)
            throw new InvalidOperationException($"{function.Name}: the local host only emulates the {SettingNames.Storage} connection, not '{connection}'.");
    }

    private async Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
    }

    /// <summary>The app's own address, as a loopback URI the local host can call.</summary>
    private Uri HandlerAddress()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException("The local host needs the app to listen on an http:// address.");
        var uri = new UriBuilder(address);
        if (uri.Host is "0.0.0.0" or "[::]" or "::" or "+" or "*" or "localhost") uri.Host = "127.0.0.1";
        uri.Path = "/";
        return uri.Uri;
    }
}
