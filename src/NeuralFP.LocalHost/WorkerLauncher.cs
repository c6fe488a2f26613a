using Microsoft.Extensions.Logging;
using NeuralFP.LocalHost.Worker;

namespace NeuralFP.LocalHost;

/// <summary>How the host starts the worker it drives: a child process (as the Functions host does) or in this process.</summary>
public abstract class WorkerLauncher
{
    private protected WorkerLauncher(string appDirectory) => AppDirectory = Path.GetFullPath(appDirectory);

    /// <summary>The function app's directory (FUNCTIONS_APPLICATION_DIRECTORY): the worker's build output with host.json.</summary>
    public string AppDirectory { get; }

    /// <summary>`dotnet &lt;workerDllPath&gt;` as a child process, with the host's command line and environment.</summary>
    public static WorkerLauncher Process(string workerDllPath)
    {
        var dll = Path.GetFullPath(workerDllPath);
        if (!File.Exists(dll)) throw new FileNotFoundException($"The worker assembly {dll} does not exist (build the worker first).", dll);
        return new ProcessWorkerLauncher(dll);
    }

    /// <summary>
    /// Runs the worker's own entry point in this process: <paramref name="run"/> gets the command line the host would
    /// pass and the settings, which it must add to the worker's configuration (builder.Configuration.AddInMemoryCollection):
    /// besides the app settings they carry Functions:Worker:HostEndpoint/WorkerId/RequestId, because the worker reads
    /// the command line from the process (the test runner's), not from its args. It must return when the token is cancelled.
    /// The functions' assembly is looked for in <paramref name="appDirectory"/> (default: this process's base directory).
    /// </summary>
    public static WorkerLauncher InProcess(
        Func<string[], IReadOnlyDictionary<string, string?>, CancellationToken, Task> run, string? appDirectory = null) =>
        new InProcessWorkerLauncher(run, appDirectory ?? AppContext.BaseDirectory);

    internal abstract IRunningWorker Start(WorkerStartInfo startInfo, ILogger logger);
}
