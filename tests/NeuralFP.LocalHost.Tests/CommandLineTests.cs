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
        using var host = Process.Start(start)!;
        var serving = new TaskCompletionSource();
        host.OutputDataReceived += (_, e) => { if (e.Data?.StartsWith("Serving ", StringComparison.Ordinal) == true) serving.TrySetResult(); };
        host.ErrorDataReceived += (_, _) => { };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        try
        {
            await serving.Task.WaitAsync(TimeSpan.FromMinutes(2));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var answer = await http.GetFromJsonAsync<JsonElement>("sample/echo/cli?q=1");
            Assert.Equal("cli", answer.GetProperty("id").GetString());
            var worker = answer.GetProperty("pid").GetInt32();
            Assert.NotEqual(host.Id, worker);

            host.Kill(); // SIGKILL: no Dispose runs in the host; its watchdog must end the worker

            await Eventually.UntilAsync(() => Task.FromResult(!IsAlive(worker)), "the orphaned worker's end", TimeSpan.FromSeconds(15));
        }
        finally
        {
            if (!host.HasExited) host.Kill(entireProcessTree: true);
            await host.WaitForExitAsync();
        }
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
