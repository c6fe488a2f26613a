using Microsoft.Extensions.Logging;

namespace NeuralFP.LocalHost.Worker;

/// <summary>Runs the worker's entry point in this process (tests that read the worker's telemetry in memory).</summary>
internal sealed class InProcessWorkerLauncher(
    Func<string[], IReadOnlyDictionary<string, string?>, CancellationToken, Task> run, string appDirectory)
    : WorkerLauncher(appDirectory)
{
    internal override IRunningWorker Start(WorkerStartInfo startInfo, ILogger logger)
    {
        // The worker reads these two from the process environment, not from its configuration.
        foreach (var name in new[] { HostVariables.ApplicationDirectory, HostVariables.WorkerDirectory })
            Environment.SetEnvironmentVariable(name, startInfo.Settings[name]);
        var settings = new Dictionary<string, string?>(startInfo.Settings);
        foreach (var (key, value) in startInfo.StartupConfiguration) settings[key] = value;
        var stop = new CancellationTokenSource();
        var running = Task.Run(() => run(startInfo.Arguments, settings, stop.Token));
        running.ContinueWith(t => logger.LogWarning(t.Exception, "The in-process worker failed."), TaskContinuationOptions.OnlyOnFaulted);
        return new RunningTask(running, stop);
    }

    private sealed class RunningTask(Task running, CancellationTokenSource stop) : IRunningWorker
    {
        public int? ProcessId => null;
        public Task Exited { get; } = running.ContinueWith(_ => { }, TaskScheduler.Default);

        public Task KillAsync()
        {
            stop.Cancel();
            return Exited;
        }

        /// <summary>Cancelling the entry point's token is already a graceful stop (the host stops its services).</summary>
        public Task TerminateAsync() => KillAsync();

        public async ValueTask DisposeAsync()
        {
            await KillAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            stop.Dispose();
        }
    }
}
