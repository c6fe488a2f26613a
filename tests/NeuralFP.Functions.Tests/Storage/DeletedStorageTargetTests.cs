using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Storage;

/// <summary>
/// A container, table or queue deleted under the running app (a clean-up script, an operator's mistake), on a real Azurite
/// of the test's own: the background writers create it again as the app does at start and their write lands, instead of
/// failing every retry until the message is poisoned, the build is retried for ever or the alarm is never sent.
/// </summary>
public sealed class DeletedStorageTargetTests : IAsyncLifetime
{
    private AzuriteServer _azurite = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _azurite = AzuriteServer.StartPrivate();
        _services = StorageServices.OnPrivateAzurite(_azurite);
        await Clients.EnsureCreatedAsync(_services.GetRequiredService<Azure.Resilience.StorageResilience>(), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _azurite.Dispose();
    }

    private StorageClients Clients => _services.GetRequiredService<StorageClients>();

    [Fact]
    public async Task A_deleted_results_container_is_created_again_by_the_next_result()
    {
        var results = _services.GetRequiredService<IResultsStore>();
        Assert.True(await results.TryCreateAsync("before", "{}"u8.ToArray(), "h1", CancellationToken.None));
        await Clients.Results.DeleteAsync();

        Assert.True(await results.TryCreateAsync("after", "{\"a\":1}"u8.ToArray(), "h2", CancellationToken.None));

        Assert.Equal("h2", (await results.GetAsync("after", CancellationToken.None))!.RequestSha256);
        Assert.False(await results.TryCreateAsync("after", "{}"u8.ToArray(), "h3", CancellationToken.None)); // still create-only
    }

    [Fact]
    public async Task A_deleted_fingerprints_container_is_created_again_by_the_next_build_s_artifact()
    {
        var store = _services.GetRequiredService<IFingerprintStore>();
        await Clients.Fingerprints.DeleteAsync();

        await store.WriteAsync("m", 1, new Dictionary<string, byte[]> { ["a.bin"] = [1, 2, 3], ["b.json"] = "{}"u8.ToArray() }, CancellationToken.None);

        var files = await store.ReadAsync("m", 1, CancellationToken.None);
        Assert.Equal(["a.bin", "b.json"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([1, 2, 3], files["a.bin"]);
    }

    [Fact]
    public async Task A_deleted_registry_table_is_created_again_by_the_next_new_model()
    {
        var registry = _services.GetRequiredService<IModelRegistry>();
        var first = await registry.GetOrAddAsync("old", CancellationToken.None);
        await Clients.Registry.DeleteAsync();

        // A row read before the table went is gone with it: its update is refused like any stale one, and reading again starts over.
        Assert.Null(await registry.TryUpdateAsync(first with { Status = ModelStatus.Fingerprinting }, CancellationToken.None));
        var added = await registry.GetOrAddAsync("new", CancellationToken.None);

        Assert.Equal(ModelStatus.Pending, added.Status);
        Assert.NotNull(await registry.TryUpdateAsync(added with { Status = ModelStatus.Fingerprinting }, CancellationToken.None));
        Assert.Equal(ModelStatus.Fingerprinting, (await registry.GetAsync("new", CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_deleted_alerts_queue_is_created_again_by_the_next_alarm()
    {
        var sender = _services.GetRequiredService<IDriftAlertSender>();
        await Clients.Alerts.DeleteAsync();

        await sender.SendAsync(new DriftAlert(DriftAlert.DriftAlarmKind, "m", 1, 1, DateTimeOffset.UnixEpoch, 200, 200, 40, 0.2, 0.05, 1e-9, 0.001), CancellationToken.None);

        var message = Assert.Single((await Clients.Alerts.PeekMessagesAsync(10)).Value);
        Assert.Contains("\"modelId\":\"m\"", Encoding.UTF8.GetString(Convert.FromBase64String(message.Body.ToString())), StringComparison.Ordinal);
    }
}
