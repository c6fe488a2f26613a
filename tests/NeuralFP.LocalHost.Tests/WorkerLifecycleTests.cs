using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.LocalHost.Tests;

/// <summary>The worker process is restarted when it dies, and nothing is left running once the host is disposed.</summary>
public sealed class WorkerLifecycleTests
{
    [Fact]
    public async Task A_killed_worker_is_restarted_and_serves_again()
    {
        await using var sample = await SampleHost.StartAsync();
        var first = sample.Host.WorkerProcessId!.Value;

        await sample.Host.KillWorkerAsync();
        Assert.False(IsAlive(first));

        var second = (int)await Eventually.WaitAsync(() =>
            Task.FromResult(sample.Host.WorkerProcessId is { } pid && pid != first ? (object?)pid : null), "a new worker");
        var answer = await sample.Http.GetFromJsonAsync<JsonElement>("sample/echo/again");
        Assert.Equal(second, answer.GetProperty("pid").GetInt32());

        // Triggers run on the new worker too.
        await sample.SendAsync("5");
        await Eventually.UntilAsync(async () => (await SampleHost.PeekTextsAsync(sample.Output)).Contains("10"), "the output after the restart");
    }

    [Fact]
    public async Task A_request_in_flight_while_the_worker_restarts_is_served_once_it_is_back()
    {
        await using var sample = await SampleHost.StartAsync();
        var first = sample.Host.WorkerProcessId!.Value;

        await sample.Host.KillWorkerAsync();
        var answer = await sample.Http.GetFromJsonAsync<JsonElement>("sample/echo/waiting");

        Assert.Equal("waiting", answer.GetProperty("id").GetString());
        Assert.NotEqual(first, answer.GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task Disposing_the_host_leaves_no_worker_or_watchdog_process()
    {
        var sample = await SampleHost.StartAsync();
        var worker = sample.Host.WorkerProcessId!.Value;
        Assert.True(IsAlive(worker));
        Assert.NotEmpty(ChildrenRunning(SampleHost.WorkerDll));

        await sample.DisposeAsync();

        Assert.False(IsAlive(worker));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Leftovers(worker).Count > 0 && DateTime.UtcNow < deadline) await Task.Delay(200);
        Assert.Empty(Leftovers(worker));
    }

    private static IReadOnlyList<string> Leftovers(int worker) =>
        ChildrenRunning(SampleHost.WorkerDll).Concat(ChildrenRunning($"kill -9 {worker}"))
            .Select(pid => $"{pid}: {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')}").ToArray();

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

    /// <summary>Processes whose command line contains <paramref name="text"/> (Linux /proc).</summary>
    private static IReadOnlyList<int> ChildrenRunning(string text)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(text, StringComparison.Ordinal) && IsAlive(pid)) found.Add(pid);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }
}
