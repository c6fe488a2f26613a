using System.Net;
using NeuralFP.Core.Tensors;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NeuralFP.Functions.Tests.Drift;

/// <summary>
/// The real worker process under the local host, stopped as a scale-in stops it (SIGTERM) right after the last verdict
/// response: the outcomes it held in memory are in the drift table once it has exited. The flush interval is the longest
/// the settings allow, so only the shutdown flush can have written them.
/// </summary>
public sealed class DriftShutdownTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync(settings: [StorageNames.Setting(SettingNames.DriftFlushMilliseconds, "300000")]);
        await TestModels.UploadAsync(_app, "scaled-in", TestModels.Cnn, TestModels.Reference());
        await _app.WaitForStatusAsync("scaled-in", ModelStatus.Ready);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_graceful_stop_right_after_the_last_response_writes_every_outcome()
    {
        var records = TestModels.Probe(40);
        var sent = 0;
        var ood = 0;
        // Several requests of different sizes, JSON and .npy.
        foreach (var (start, count) in new[] { (0, 1), (1, 7), (8, 12), (20, 3), (23, 17) })
        {
            var batch = records.Slice(start, count);
            using var content = start % 2 == 0
                ? new ByteArrayContent(TestModels.Npy(batch)) { Headers = { ContentType = new("application/x-npy") } }
                : (HttpContent)new StringContent(TestModels.RecordsJson(batch), System.Text.Encoding.UTF8, "application/json");
            using var response = await _app.Http.PostAsync("api/models/scaled-in/verdicts", content);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            ood += System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("oodRecords").GetInt32();
            sent += count;
        }
        var drift = _app.Services.GetRequiredService<IDriftStore>();
        Assert.Null(await drift.GetAsync("scaled-in", CancellationToken.None)); // held in the worker's memory so far

        var worker = _app.Host.WorkerProcessId;
        await _app.Host.TerminateWorkerAsync(); // SIGTERM; returns when the process has exited

        var row = await drift.GetAsync("scaled-in", CancellationToken.None);
        output.WriteLine($"Worker {worker} stopped; drift row: {row?.TotalRecords} records, {row?.TotalOod} OOD (sent {sent}, {ood} OOD).");
        Assert.NotNull(row);
        Assert.Equal((sent, ood), (row.TotalRecords, row.TotalOod));
        Assert.Equal(sent, row.Outcomes.Length);
    }
}
