using System.Net.Http.Json;
using System.Text.Json;

namespace NeuralFP.LocalHost.Tests;

/// <summary>The same worker, run from its entry point inside the test process (for in-memory telemetry).</summary>
public sealed class InProcessWorkerTests
{
    [Fact]
    public async Task An_in_process_worker_serves_http_and_queue_triggers()
    {
        await using var sample = await SampleHost.StartAsync(launcher: WorkerLauncher.InProcess(SampleWorker.Program.RunAsync, Path.GetDirectoryName(SampleHost.WorkerDll)));

        Assert.Null(sample.Host.WorkerProcessId);
        var answer = await sample.Http.GetFromJsonAsync<JsonElement>("sample/echo/inside");
        Assert.Equal(Environment.ProcessId, answer.GetProperty("pid").GetInt32());

        await sample.SendAsync("4");
        await NeuralFP.Functions.Tests.Infrastructure.Eventually.UntilAsync(
            async () => (await SampleHost.PeekTextsAsync(sample.Output)).Contains("8"), "the output message");
    }
}
