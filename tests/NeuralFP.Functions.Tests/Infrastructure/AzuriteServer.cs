using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NeuralFP.Functions.Tests.Infrastructure;

/// <summary>
/// One real Azurite for the test run, from the repository's pinned npm package, on free loopback ports
/// with its data in a temporary folder. Test classes isolate themselves with their own container, queue
/// and table names (<see cref="StorageNames"/>).
/// </summary>
public sealed class AzuriteServer : IDisposable
{
    // The emulator's published, fixed development account (not a secret).
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<AzuriteServer> Shared = new(() => new AzuriteServer(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _azurite;
    private readonly string _location;
    private const int LaunchAttempts = 3;

    private readonly (int Blob, int Queue, int Table) _ports;
    private Process _process;

    public static AzuriteServer Instance => Shared.Value;

    /// <summary>An Azurite of the test's own, which it may <see cref="Stop"/> and <see cref="Start"/> again (same ports, same data) to stage an outage.</summary>
    public static AzuriteServer StartPrivate() => new();

    private AzuriteServer()
    {
        var root = FindRepositoryRoot();
        _azurite = Path.Combine(root, "node_modules", ".bin", "azurite");
        if (!File.Exists(_azurite))
            throw new InvalidOperationException($"Azurite is not installed at {_azurite}: run `npm ci` in {root} (package.json pins it).");
        _location = Path.Combine(Path.GetTempPath(), "nfp-azurite-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_location);
        // A port found free can be taken by another process before Azurite binds it (test classes start servers in
        // parallel); Azurite then exits at once, and choosing new ports is the whole remedy.
        for (var attempt = 1; ; attempt++)
        {
            _ports = FreePorts();
            try
            {
                _process = Launch();
                break;
            }
            catch (ExitedBeforeListeningException) when (attempt < LaunchAttempts)
            {
            }
            catch
            {
                // No server to dispose later: its data folder goes now.
                Directory.Delete(_location, recursive: true);
                throw;
            }
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{_ports.Blob}/{AccountName};QueueEndpoint=http://127.0.0.1:{_ports.Queue}/{AccountName};TableEndpoint=http://127.0.0.1:{_ports.Table}/{AccountName};";
    }

    /// <summary>
    /// Stops Azurite (an outage), keeping its data for <see cref="Start"/>: SIGTERM, so it saves its tables (they are
    /// written to disk periodically, and a SIGKILL would lose the last seconds of writes — a data loss, not an outage).
    /// </summary>
    /// <summary>The process that runs Azurite (a shell whose child is node), e.g. for a benchmark's CPU accounting.</summary>
    public int ProcessId => _process.Id;

    public void Stop()
    {
        if (_process.HasExited) return;
        foreach (var pid in Children()) _ = Kill(pid, SigTerm);
        // The watchdog shell exits once its child is gone; anything left after that is killed outright.
        if (!_process.WaitForExit(15000)) KillAll();
        _process.WaitForExit(5000);
    }

    /// <summary>Starts Azurite again on the same ports and data folder after <see cref="Stop"/>.</summary>
    public void Start()
    {
        if (!_process.HasExited) return;
        _process.Dispose();
        _process = Launch();
    }

    private Process Launch()
    {
        var (blob, queue, table) = _ports;
        // A shell watchdog ends Azurite when this process is gone, even after a crash that skips Dispose, and then
        // removes the data folder too (a test host killed at the end of a run never reaches Dispose).
        var watchdog = $"\"$@\" & child=$!; while kill -0 {Environment.ProcessId} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done; " +
            $"if ! kill -0 {Environment.ProcessId} 2>/dev/null; then kill $child 2>/dev/null; wait $child; rm -rf '{_location}'; fi";
        // setsid: no controlling terminal, so neither the watchdog nor Azurite can be stopped by SIGTTIN/SIGTTOU when the
        // run is a background job (a stopped watchdog never notices that the test host is gone and leaves Azurite behind).
        var start = new ProcessStartInfo("setsid")
        {
            ArgumentList =
            {
                "/bin/sh", "-c", watchdog, "azurite-watchdog", _azurite,
                "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                "--blobPort", blob.ToString(), "--queuePort", queue.ToString(), "--tablePort", table.ToString(),
                "--location", _location, "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry",
            },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            foreach (var port in new[] { blob, queue, table }) WaitForPort(process, port);
        }
        catch
        {
            process.Dispose();
            throw;
        }
        return process;
    }

    public string ConnectionString { get; }

    private static void WaitForPort(Process process, int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (process.HasExited)
                throw new ExitedBeforeListeningException($"Azurite exited with code {process.ExitCode} before listening on {port} (is the port taken?).");
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
            }
        }
    }

    /// <summary>Three distinct free loopback ports (all held until the three are chosen, so none is chosen twice).</summary>
    private static (int Blob, int Queue, int Table) FreePorts()
    {
        var listeners = new TcpListener[3];
        try
        {
            for (var i = 0; i < listeners.Length; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
            }
            int Port(int i) => ((IPEndPoint)listeners[i].LocalEndpoint).Port;
            return (Port(0), Port(1), Port(2));
        }
        finally
        {
            foreach (var listener in listeners) listener?.Stop();
        }
    }

    private sealed class ExitedBeforeListeningException(string message) : InvalidOperationException(message);

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NeuralFP.Functions.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Cannot find the repository root (NeuralFP.Functions.sln) above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        // First a detached reaper that removes the data folder once Azurite is gone: at the end of a run the test host
        // may be ended in the middle of this method (after the kill of the watchdog, which would otherwise clean up, and
        // before the delete below), and an Azurite that is still saving recreates what a delete removed.
        if (!_process.HasExited) StartReaper(Children().ToArray());
        try
        {
            if (!_process.HasExited) KillAll();
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        // Azurite may still be saving for a moment after its kill (a file created during the delete left the folder
        // behind): delete again until the folder is gone.
        for (var attempt = 0; attempt < 20 && Directory.Exists(_location); attempt++)
        {
            try
            {
                Directory.Delete(_location, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(100);
            }
        }
    }

    private void StartReaper(IReadOnlyCollection<int> azurite)
    {
        if (azurite.Count == 0) return;
        var alive = string.Join(" || ", azurite.Select(pid => $"kill -0 {pid} 2>/dev/null"));
        var reaper = new ProcessStartInfo("setsid")
        {
            ArgumentList = { "/bin/sh", "-c", $"while {alive}; do sleep 0.1; done; sleep 0.5; rm -rf '{_location}'" },
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            Process.Start(reaper)?.Dispose();
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    // Plain SIGKILLs, child first. Not Process.Kill(entireProcessTree): it SIGSTOPs the tree before killing it, and when
    // that runs at process exit the test host may be gone before the kills, leaving a stopped watchdog and a live Azurite.
    // Returns once the children are gone (or after 5 s), so nothing writes into the data folder after it.
    private void KillAll()
    {
        var children = Children().ToArray();
        foreach (var pid in children) _ = Kill(pid, SigKill);
        _ = Kill(_process.Id, SigKill);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (children.Any(IsRunning) && DateTime.UtcNow < deadline) Thread.Sleep(20);
    }

    /// <summary>Whether a process exists and is not a zombie (a killed child of the killed watchdog is reaped by init).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() is not 'Z' and not 'X';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private IEnumerable<int> Children()
    {
        var path = $"/proc/{_process.Id}/task/{_process.Id}/children";
        try
        {
            return [.. File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
        }
        catch (IOException)
        {
            return [];
        }
    }

    private const int SigKill = 9;
    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
