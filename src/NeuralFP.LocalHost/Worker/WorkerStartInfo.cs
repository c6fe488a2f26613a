namespace NeuralFP.LocalHost.Worker;

/// <summary>
/// What the host hands a worker at start: its command line, its app settings / host variables, and the command
/// line's values as configuration keys (for a worker that cannot read the command line).
/// </summary>
internal sealed record WorkerStartInfo(string[] Arguments, IReadOnlyDictionary<string, string?> Settings, IReadOnlyDictionary<string, string?> StartupConfiguration);

/// <summary>A started worker: its process id (if any), a task that ends when it exits, and a hard kill.</summary>
internal interface IRunningWorker : IAsyncDisposable
{
    int? ProcessId { get; }
    Task Exited { get; }
    /// <summary>Ends the worker now, without a grace period (kill -9 for a process).</summary>
    Task KillAsync();
    /// <summary>Asks the worker to stop as a platform does on scale-in (SIGTERM for a process); returns when it has exited.</summary>
    Task TerminateAsync();
}
