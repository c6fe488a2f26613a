using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace NeuralFP.LocalHost.Worker;

/// <summary>Starts the worker as `dotnet &lt;dll&gt;`, like the Functions host's dotnet-isolated worker config.</summary>
internal sealed class ProcessWorkerLauncher(string dll) : WorkerLauncher(Path.GetDirectoryName(dll)!)
{
    internal override IRunningWorker Start(WorkerStartInfo startInfo, ILogger logger)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in startInfo.Arguments) start.ArgumentList.Add(argument);
        // Settings become environment variables, hierarchical keys with the portable '__' separator.
        foreach (var (key, value) in startInfo.Settings) start.Environment[key.Replace(":", "__")] = value;
        var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("`dotnet` did not start.");
        return new RunningProcess(process, logger);
    }

    private sealed class RunningProcess : IRunningWorker
    {
        private readonly System.Diagnostics.Process _process;
        private readonly System.Diagnostics.Process? _watchdog;
        private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public RunningProcess(System.Diagnostics.Process process, ILogger logger)
        {
            _process = process;
            ProcessId = process.Id;
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) => _exited.TrySetResult();
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) logger.LogInformation("[worker {Pid}] {Line}", ProcessId, e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) logger.LogWarning("[worker {Pid}] {Line}", ProcessId, e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (process.HasExited) _exited.TrySetResult();
            _watchdog = StartWatchdog(process.Id);
        }

        public int? ProcessId { get; }
        public Task Exited => _exited.Task;

        public Task KillAsync()
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            return _exited.Task;
        }

        public Task TerminateAsync()
        {
            if (OperatingSystem.IsWindows()) return KillAsync(); // no SIGTERM; Windows hosts send WorkerTerminate instead
            if (!_process.HasExited && SendSignal(_process.Id, SigTerm) != 0 && !_process.HasExited)
                throw new InvalidOperationException($"SIGTERM to worker {_process.Id} failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
            return _exited.Task;
        }

        private const int SigTerm = 15;

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int SendSignal(int pid, int signal);

        public async ValueTask DisposeAsync()
        {
            await KillAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            _process.WaitForExit();
            _process.Dispose();
            if (_watchdog is not null)
            {
                try
                {
                    if (!_watchdog.HasExited) _watchdog.Kill();
                    await _watchdog.WaitForExitAsync().ConfigureAwait(false);
                }
                catch (InvalidOperationException)
                {
                }
                _watchdog.Dispose();
            }
        }

        /// <summary>
        /// A shell that kills the worker once this host process is gone (even after a crash that skips Dispose), so
        /// no orphaned worker keeps its ports; it ends by itself when the worker ends.
        /// </summary>
        private static System.Diagnostics.Process? StartWatchdog(int workerPid)
        {
            if (OperatingSystem.IsWindows()) return null;
            var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null && kill -0 {workerPid} 2>/dev/null; do sleep 1; done; kill -9 {workerPid} 2>/dev/null; exit 0";
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);
            return System.Diagnostics.Process.Start(start);
        }
    }
}
