using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NeuralFP.Application.Configuration;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Scoring;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Scoring;

/// <summary>
/// Scorers named in NeuralFP__PreloadModels are loaded when an instance starts, before any request: the first request
/// then finds them loaded; a name that cannot be loaded is reported and skipped; <c>*</c> stops at the cache's budget.
/// </summary>
public sealed class ScorerPreloadTests(ReadyModelFixture fixture) : IClassFixture<ReadyModelFixture>
{
    private const string Loaded = "loaded fingerprint version";

    [Fact]
    public async Task A_new_worker_loads_the_named_models_before_their_first_request_and_reports_the_missing_one()
    {
        // A second instance of the app over the fixture's storage, as a scale-out would start one.
        await using var instance = await TestApp.StartAsync(names: fixture.App.Names,
            settings: [StorageNames.Setting(SettingNames.PreloadModels, $"{ReadyModelFixture.ModelId}, no-such-model")]);
        await Eventually.UntilAsync(() => Task.FromResult(instance.Logs.Contains(LogLevel.Information, $"Model {ReadyModelFixture.ModelId}: preloaded version {fixture.Ready.CurrentVersion}")),
            "the model to be preloaded");
        await Eventually.UntilAsync(() => Task.FromResult(instance.Logs.Contains(LogLevel.Warning, "Model no-such-model: not preloaded")), "the missing model to be reported");
        Assert.Equal(1, LoadCount(instance));

        using var body = new ByteArrayContent(TestModels.Npy(TestModels.Probe(3)));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/x-npy");
        using var response = await instance.Http.PostAsync($"api/models/{ReadyModelFixture.ModelId}/verdicts", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, LoadCount(instance)); // the request leased the preloaded scorer
    }

    [Fact]
    public async Task Every_ready_model_is_preloaded_while_the_cache_has_room_and_none_is_evicted()
    {
        foreach (var copy in new[] { "preload-a", "preload-b", "preload-c" }) await fixture.PublishCopyAsync(copy, 1);
        var options = fixture.App.Services.GetRequiredService<ServiceOptions>();
        using var probe = new ScorerCache(fixture.App.Registry, fixture.App.Services.GetRequiredService<IFingerprintStore>(), options);
        long oneModel;
        using (var lease = await probe.LeaseAsync(ReadyModelFixture.ModelId, CancellationToken.None)) oneModel = lease.Model.EstimatedBytes;

        // Room for two and a half scorers: two are loaded, and the third would push the first out.
        var budgeted = options with { ScorerCacheBytes = oneModel * 5 / 2, PreloadModels = [ServiceOptions.PreloadEveryModel], RegistryCacheDuration = TimeSpan.Zero };
        using var cache = new ScorerCache(fixture.App.Registry, fixture.App.Services.GetRequiredService<IFingerprintStore>(), budgeted);
        var loaded = await new ScorerPreload(cache, budgeted, NullLogger<ScorerPreload>.Instance, TimeProvider.System).RunAsync(CancellationToken.None);
        Assert.Equal(2, loaded);
        Assert.Equal(2, cache.ResidentCount);
        Assert.True(cache.ResidentBytes <= budgeted.ScorerCacheBytes, $"{cache.ResidentBytes} bytes resident against a budget of {budgeted.ScorerCacheBytes}");
    }

    private static int LoadCount(TestApp app) =>
        app.Logs.Entries.Count(e => e.Message.Contains($"Model {ReadyModelFixture.ModelId}: {Loaded}", StringComparison.Ordinal));
}
