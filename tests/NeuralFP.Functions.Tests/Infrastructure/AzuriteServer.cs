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

    private readonly Process _process;
    private readonly string _location;

    public static AzuriteServer Instance => Shared.Value;

    private AzuriteServer()
    {
        var root = FindRepositoryRoot();
        var azurite = Path.Combine(root, "node_modules", ".bin", "azurite");
        if (!File.Exists(azurite))
            throw new InvalidOperationException($"Azurite is not installed at {azurite}: run `npm ci` in {root} (package.json pins it).");
        _location = Path.Combine(Path.GetTempPath(), "nfp-azurite-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_location);
        var (blob, queue, table) = (FreePort(), FreePort(), FreePort());
        // A shell watchdog ends Azurite when this process is gone, even after a crash that skips Dispose.
        var watchdog = $"\"$@\" & child=$!; while kill -0 {Environment.ProcessId} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done; kill $child 2>/dev/null; wait $child";
        var start = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList =
            {
                "-c", watchdog, "azurite-watchdog", azurite,
                "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                "--blobPort", blob.ToString(), "--queuePort", queue.ToString(), "--tablePort", table.ToString(),
                "--location", _location, "--skipApiVersionCheck", "--loose", "--silent",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
        foreach (var port in new[] { blob, queue, table }) WaitForPort(port);
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/{AccountName};QueueEndpoint=http://127.0.0.1:{queue}/{AccountName};TableEndpoint=http://127.0.0.1:{table}/{AccountName};";
    }

    public string ConnectionString { get; }

    private void WaitForPort(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode} before listening on {port}.");
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

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
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        try
        {
            Directory.Delete(_location, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
