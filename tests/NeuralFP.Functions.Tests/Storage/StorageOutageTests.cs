using System.Net;
using System.Text;
using NeuralFP.Application.Registry;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Storage;

/// <summary>
/// A storage outage staged by stopping an Azurite of the test's own (same ports and data when it comes back): a model
/// whose scorer is loaded keeps answering, everything that needs storage is a 503 problem with Retry-After (not a 500),
/// the anonymous health check names no exception, and the service recovers on its own.
/// </summary>
public sealed class StorageOutageTests : IAsyncLifetime
{
    private AzuriteServer _azurite = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _azurite = AzuriteServer.StartPrivate();
        _app = await TestApp.StartAsync(settings:
        [
            StorageNames.Setting(SettingNames.Storage, _azurite.ConnectionString),
            StorageNames.Setting(SettingNames.StorageMaxRetries, "1"),
        ]);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _azurite.Dispose();
    }

    private Task<HttpResponseMessage> PostVerdictsAsync(string modelId) =>
        _app.Http.PostAsync($"api/models/{modelId}/verdicts", new StringContent(TestModels.RecordsJson(TestModels.Probe(3)), Encoding.UTF8, "application/json"));

    [Fact]
    public async Task During_an_outage_a_loaded_model_answers_and_the_rest_is_503_with_retry_after()
    {
        await TestModels.UploadAsync(_app, "served", TestModels.Cnn, TestModels.Reference());
        // The host's blob trigger watches this test's Azurite too, so it builds the upload.
        await _app.WaitForStatusAsync("served", ModelStatus.Ready);
        (await PostVerdictsAsync("served")).EnsureSuccessStatusCode(); // loads the scorer

        _azurite.Stop();
        try
        {
            var verdicts = await PostVerdictsAsync("served");
            Assert.Equal(HttpStatusCode.OK, verdicts.StatusCode);

            var model = await _app.Http.GetAsync("api/models/served");
            var problem = await Problems.AssertProblemAsync(model, HttpStatusCode.ServiceUnavailable, "storage");
            Assert.EndsWith("storage-unavailable", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
            Assert.True(model.Headers.RetryAfter?.Delta > TimeSpan.Zero, "503 without Retry-After");

            var health = await _app.Http.GetAsync("api/health");
            var text = await health.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            foreach (var leak in new[] { "127.0.0.1", "refused", "Exception", "devstoreaccount1", "Status:" })
                Assert.DoesNotContain(leak, text, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            _azurite.Start();
        }

        // Back without a restart of the app (the circuit breaker may hold a few seconds).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        HttpStatusCode status;
        do
        {
            status = (await _app.Http.GetAsync("api/models/served")).StatusCode;
            if (status != HttpStatusCode.OK) await Task.Delay(500);
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
