using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralFP.Application.Ports;
using NeuralFP.Azure.Configuration;
using NeuralFP.Azure.Resilience;
using NeuralFP.Azure.Tables;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Drift;

/// <summary>
/// The app (worker in this process, under the local host, on the shared Azurite) whose drift table refuses its writes:
/// its drift store signs with a wrong account key (a real 403 from Azurite; every other table, queue and container
/// answers). Queued batches still get their result instead of going to the poison queue, HTTP verdicts are answered,
/// and the health endpoint and the log say once what to change.
/// </summary>
[Collection(InProcessWorkerCollection.Name)]
public sealed class DriftRefusedInAppTests : IAsyncLifetime
{
    private const string ModelId = "refused-drift";
    private const string WrongKey = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLWtleQ==";

    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync(configure: builder => builder.Services.AddSingleton<IDriftStore>(RefusingDriftStore));
        await TestModels.BuildReadyInProcessAsync(_app, ModelId);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>The app's drift store over a table client that signs with a wrong key.</summary>
    private static TableDriftStore RefusingDriftStore(IServiceProvider services)
    {
        var clients = services.GetRequiredService<StorageClients>();
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        var tables = new TableServiceClient(clients.Tables.Uri, new TableSharedKeyCredential(clients.Tables.AccountName, WrongKey), options);
        return new TableDriftStore(new StorageClients(clients.Blobs, clients.Queues, tables, services.GetRequiredService<IOptions<StorageOptions>>()),
            services.GetRequiredService<StorageResilience>());
    }

    [Fact]
    public async Task Batches_keep_their_results_verdicts_are_answered_and_health_says_the_drift_writes_are_refused()
    {
        var records = TestModels.Probe(8);
        var body = TestModels.RecordsJson(records)[1..^1];
        foreach (var batch in new[] { "refused-1", "refused-2" })
            await _app.SendAsync(_app.Clients.ScoreRequests, $"{{\"batchId\":\"{batch}\",\"modelId\":\"{ModelId}\",{body}}}");
        foreach (var batch in new[] { "refused-1", "refused-2" })
        {
            var blob = _app.Clients.Results.GetBlobClient(batch + ".json");
            await Eventually.UntilAsync(async () => (await blob.ExistsAsync()).Value, $"the result of {batch}");
        }
        var verdicts = await _app.Http.PostAsync($"api/models/{ModelId}/verdicts", new StringContent(TestModels.RecordsJson(records), Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.OK, verdicts.StatusCode);

        string drift = "";
        await Eventually.UntilAsync(async () =>
        {
            var health = await _app.Http.GetAsync("api/health");
            var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;
            drift = report.GetProperty("drift").GetString()!;
            return health.IsSuccessStatusCode && report.GetProperty("status").GetString() == "healthy" && drift.Contains("(403", StringComparison.Ordinal);
        }, "the health endpoint to report the refused drift writes");

        Assert.StartsWith("drift writes refused since", drift, StringComparison.Ordinal);
        Assert.Contains("account key", drift, StringComparison.Ordinal);
        Assert.Contains("16 outcomes dropped", drift, StringComparison.Ordinal); // the two batches' records, given up and counted
        Assert.Empty(await TestApp.PeekAllAsync(_app.Clients.ScoreRequestsPoison));
        // Reported once for the whole episode (two batches and the HTTP verdicts' flushes), not per batch or flush.
        Assert.Single(_app.Logs.Entries, e => e.Level >= LogLevel.Error && e.Message.Contains("Drift outcomes cannot be written", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reading_the_drift_window_the_table_refuses_is_a_503_naming_the_refusal_not_a_500()
    {
        var response = await _app.Http.GetAsync($"api/models/{ModelId}/drift");

        var problem = await Problems.AssertProblemAsync(response, System.Net.HttpStatusCode.ServiceUnavailable, "refused", "nothing was changed");
        Assert.EndsWith("storage-refused", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal("60", response.Headers.GetValues("Retry-After").Single());
        // The remedy names the service's own settings, so it goes to the log, not to the client.
        Assert.DoesNotContain("account key", problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
    }
}
