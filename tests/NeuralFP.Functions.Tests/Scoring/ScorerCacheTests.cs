using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Application.Configuration;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Scoring;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Scoring;

/// <summary>
/// The scorer cache on the real Azurite with real ONNX Runtime sessions: bounded by bytes (LRU), and no session is
/// disposed while a lease on it is held, whether it was evicted or replaced by a newer version.
/// </summary>
public sealed class ScorerCacheTests(ReadyModelFixture fixture) : IClassFixture<ReadyModelFixture>
{
    private IFingerprintStore Fingerprints => fixture.App.Services.GetRequiredService<IFingerprintStore>();

    private ScorerCache NewCache(long budget) =>
        new(fixture.App.Registry, Fingerprints, fixture.App.Services.GetRequiredService<ServiceOptions>() with { ScorerCacheBytes = budget, RegistryCacheDuration = TimeSpan.Zero });

    [Fact]
    public async Task A_scorer_in_use_survives_its_replacement_by_a_newer_version_and_goes_when_released()
    {
        using var cache = NewCache(budget: 1L << 30);
        await fixture.PublishCopyAsync("replaced", 1);
        var old = await cache.LeaseAsync("replaced", CancellationToken.None);

        await fixture.PublishCopyAsync("replaced", 2);
        using (var newer = await cache.LeaseAsync("replaced", CancellationToken.None))
        {
            Assert.Equal((1, 2), (old.Model.Version, newer.Model.Version));
            Assert.Equal(2, cache.ResidentCount);
            // The replaced session still scores: a slow request that leased it before the switch finishes normally.
            Assert.Equal(5, old.Model.Scorer.Score(TestModels.Probe(5)).Count);
        }
        old.Dispose();

        Assert.Equal(1, cache.ResidentCount);
        Assert.Throws<ObjectDisposedException>(() => old.Model.Scorer.Score(TestModels.Probe(1)));
    }

    [Fact]
    public async Task Many_models_leased_one_at_a_time_stay_within_the_byte_budget()
    {
        await fixture.PublishCopyAsync("budget-probe", 1);
        long one;
        using (var probe = NewCache(1L << 30))
        using (var lease = await probe.LeaseAsync("budget-probe", CancellationToken.None))
            one = lease.Model.EstimatedBytes;
        Assert.True(one > 0);

        var budget = one * 5 / 2; // room for two scorers
        using var cache = NewCache(budget);
        for (var i = 0; i < 6; i++)
        {
            await fixture.PublishCopyAsync($"many-{i}", 1);
            using var lease = await cache.LeaseAsync($"many-{i}", CancellationToken.None);
            Assert.Equal(3, lease.Model.Scorer.Score(TestModels.Probe(3)).Count);
            Assert.True(cache.ResidentBytes <= budget, $"{cache.ResidentBytes} bytes resident, budget {budget}");
        }
        Assert.Equal(2, cache.ResidentCount);
    }

    [Fact]
    public async Task A_scorer_evicted_while_leased_is_disposed_only_after_release()
    {
        await fixture.PublishCopyAsync("evict-a", 1);
        await fixture.PublishCopyAsync("evict-b", 1);
        using var cache = NewCache(budget: 1); // every other scorer is evicted as soon as another is leased
        var a = await cache.LeaseAsync("evict-a", CancellationToken.None);
        using (var b = await cache.LeaseAsync("evict-b", CancellationToken.None))
        {
            Assert.Equal(2, cache.ResidentCount);
            Assert.Equal(2, a.Model.Scorer.Score(TestModels.Probe(2)).Count);
        }
        a.Dispose();
        Assert.Throws<ObjectDisposedException>(() => a.Model.Scorer.Score(TestModels.Probe(1)));
    }

    [Fact]
    public async Task A_missing_current_fingerprint_folder_is_fingerprint_unreadable_not_a_500()
    {
        while (true)
        {
            var row = await fixture.App.Registry.GetOrAddAsync("no-folder", CancellationToken.None);
            if (await fixture.App.Registry.TryUpdateAsync(row.AsReady() with { CurrentVersion = 7, LatestVersion = 7, InputShape = [1, 28, 28] }, CancellationToken.None) is not null) break;
        }
        using var cache = NewCache(1L << 30);
        await Assert.ThrowsAsync<FingerprintUnreadableException>(() => cache.LeaseAsync("no-folder", CancellationToken.None));

        var response = await fixture.App.Http.PostAsync("api/models/no-folder/verdicts", new StringContent(TestModels.RecordsJson(TestModels.Probe(1)), Encoding.UTF8, "application/json"));
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict, "no-folder", "missing");
        Assert.EndsWith("fingerprint-unreadable", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
    }
}
