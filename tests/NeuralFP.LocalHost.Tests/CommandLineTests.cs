using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.LocalHost.Tests;

/// <summary>The exe as ./scripts/run-local starts it; and its worker does not outlive it, even when it is killed.</summary>
public sealed class CommandLineTests
{
    private static readonly string LocalHostDll = Path.GetFullPath(typeof(CommandLineTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LocalHostDll").Value!);

    [Fact]
    public async Task The_exe_serves_the_worker_and_its_worker_dies_with_it_when_it_is_killed()
    {
        using var host = await StartExeAsync();
        try
        {
            var worker = await WorkerPidAsync(host);

            host.Process.Kill(); // SIGKILL: no Dispose runs in the host; its watchdog must end the worker

            await Eventually.UntilAsync(() => Task.FromResult(!IsAlive(worker)), "the orphaned worker's end", TimeSpan.FromSeconds(15));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sigterm_stops_the_exe_and_its_worker()
    {
        using var host = await StartExeAsync();
        try
        {
            var worker = await WorkerPidAsync(host);

            using (var term = Process.Start("kill", ["-TERM", host.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();

            await host.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, host.Process.ExitCode);
            Assert.False(IsAlive(worker));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static async Task<int> WorkerPidAsync(ExeHost host)
    {
        using var http = new HttpClient { BaseAddress = host.Address };
        var answer = await http.GetFromJsonAsync<JsonElement>("sample/echo/cli?q=1");
        Assert.Equal("cli", answer.GetProperty("id").GetString());
        var worker = answer.GetProperty("pid").GetInt32();
        Assert.NotEqual(host.Process.Id, worker);
        return worker;
    }

    private static async Task<ExeHost> StartExeAsync()
    {
        var port = FreePort();
        var prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { LocalHostDll, "--worker", SampleHost.WorkerDll, "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["AzureWebJobsStorage"] = AzuriteServer.Instance.ConnectionString,
                ["Sample__UploadsContainer"] = prefix + "-uploads",
                ["Sample__RecordsContainer"] = prefix + "-records",
                ["Sample__InputQueue"] = prefix + "-input",
                ["Sample__OutputQueue"] = prefix + "-output",
                ["Sample__TickSchedule"] = "0 0 0 1 1 *",
            },
        };
        var process = Process.Start(start)!;
        var serving = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) => { if (e.Data?.StartsWith("Serving ", StringComparison.Ordinal) == true) serving.TrySetResult(); };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new ExeHost(process, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await serving.Task.WaitAsync(TimeSpan.FromMinutes(2));
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private sealed record ExeHost(Process Process, Uri Address) : IDisposable
    {
        public async Task DisposeAsync()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        public void Dispose() => Process.Dispose();
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
