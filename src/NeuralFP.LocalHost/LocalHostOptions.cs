using Microsoft.Extensions.Logging;

namespace NeuralFP.LocalHost;

/// <summary>How to run a <see cref="LocalFunctionsHost"/>: the worker, the storage account and the host's own knobs.</summary>
public sealed class LocalHostOptions
{
    /// <summary>How to start the worker (a child process or the worker's entry point in this process).</summary>
    public required WorkerLauncher Worker { get; init; }

    /// <summary>AzureWebJobsStorage: the account the triggers listen on and output bindings write to (Azurite locally).</summary>
    public required string StorageConnectionString { get; init; }

    /// <summary>Where the host serves <c>/api/...</c>; port 0 picks a free port.</summary>
    public string HttpUrl { get; init; } = "http://127.0.0.1:0";

    /// <summary>host.json to read; default: host.json in the worker's application directory.</summary>
    public string? HostJsonPath { get; init; }

    /// <summary>App settings, given to the worker as configuration (environment variables for a process).</summary>
    public IReadOnlyDictionary<string, string?> WorkerSettings { get; init; } = new Dictionary<string, string?>();

    /// <summary>How often blob containers are listed for new uploads (the Event Grid stand-in).</summary>
    public TimeSpan BlobPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between polls of an idle queue (host.json maxPollingInterval caps it too).</summary>
    public TimeSpan QueuePollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public ILoggerFactory? LoggerFactory { get; init; }
}
