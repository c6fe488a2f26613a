using NeuralFP.Core.Fingerprints;
using System.Security.Cryptography;
using Azure.Storage;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;
using NeuralFP.Application.Errors;
using NeuralFP.Azure.Blobs;
using NeuralFP.Azure.Configuration;
using NeuralFP.Azure.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NeuralFP.Application.Configuration;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Fingerprinting;

/// <summary>
/// The fingerprint job as a state machine with a lease that expires on its own, on the real Azurite: a build whose
/// owner died (the row left <c>fingerprinting</c>, as a <c>kill -9</c> leaves it) is taken over once its lease runs out
/// and finishes; content that keeps cutting builds off ends failed with its reason instead of looping.
/// </summary>
public sealed class BuildRecoveryTests : IAsyncLifetime
{
    private StorageOnly _app = null!;

    /// <summary>The wall clock moved forward on demand, so a test need not wait a lease out.</summary>
    private sealed class ShiftedTime : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
    }

    // Without the local host: the tests run the job and the sweep themselves.
    public async Task InitializeAsync() => _app = await StorageOnly.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private (FingerprintJob Job, FingerprintSweep Sweep, ShiftedTime Time, ServiceOptions Options) Create()
    {
        var time = new ShiftedTime();
        var options = _app.Services.GetRequiredService<ServiceOptions>();
        var loggers = _app.Services.GetRequiredService<ILoggerFactory>();
        var job = new FingerprintJob(_app.Registry, _app.Services.GetRequiredService<IModelFileStore>(), _app.Services.GetRequiredService<IFingerprintStore>(),
            options, loggers.CreateLogger<FingerprintJob>(), time);
        return (job, new FingerprintSweep(_app.Registry, job, options, loggers.CreateLogger<FingerprintSweep>(), time), time, options);
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Uploads the files and leaves the row as a build killed mid-way leaves it: fingerprinting, lease still running.</summary>
    private async Task<ModelRecord> CrashedBuildAsync(string modelId, int attempts = 0)
    {
        await _app.UploadAsync(modelId, Application.Inputs.ModelFiles.Options, TestModels.OptionsJson);
        await _app.UploadAsync(modelId, Application.Inputs.ModelFiles.Model, TestModels.Cnn);
        await _app.UploadAsync(modelId, Application.Inputs.ModelFiles.Reference, TestModels.Npy(TestModels.Reference()));
        var row = await _app.Registry.GetOrAddAsync(modelId, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var crashed = row with
        {
            Status = ModelStatus.Fingerprinting,
            LatestVersion = 1,
            BuildingVersion = 1,
            BuildingHashes = new ContentHashes(Sha(TestModels.Cnn), Sha(TestModels.Npy(TestModels.Reference())), Sha(TestModels.OptionsJson)),
            BuildStartedAt = now,
            LeaseExpiresAt = now + _app.Services.GetRequiredService<ServiceOptions>().FingerprintLease,
            BuildAttempts = attempts,
        };
        return await _app.Registry.TryUpdateAsync(crashed, CancellationToken.None) ?? throw new InvalidOperationException("The row changed under the test.");
    }

    [Fact]
    public async Task A_build_whose_owner_died_is_taken_over_by_the_sweep_once_its_lease_runs_out()
    {
        var (job, sweep, time, options) = Create();
        await CrashedBuildAsync("orphan");

        // While the lease runs, the dead owner cannot be told from a live one: nobody steals the build.
        Assert.Equal(FingerprintOutcomeKind.InProgressElsewhere, (await job.RunAsync("orphan", CancellationToken.None)).Kind);
        Assert.Empty(await sweep.RunAsync(CancellationToken.None));

        time.Offset = options.FingerprintLease + TimeSpan.FromSeconds(1);
        var outcomes = await sweep.RunAsync(CancellationToken.None);

        var built = Assert.Single(outcomes, o => o.ModelId == "orphan");
        Assert.Equal(FingerprintOutcomeKind.Built, built.Kind);
        var row = await _app.Registry.GetAsync("orphan", CancellationToken.None);
        Assert.Equal((ModelStatus.Ready, 2, 2, (int?)null), (row!.Status, row.CurrentVersion, row.LatestVersion, row.BuildingVersion));
        Assert.Null(row.LeaseExpiresAt);
    }

    [Fact]
    public async Task A_trigger_after_the_lease_ran_out_takes_the_build_over_too()
    {
        var (job, _, time, options) = Create();
        await CrashedBuildAsync("retriggered");
        time.Offset = options.FingerprintLease + TimeSpan.FromSeconds(1);

        var outcome = await job.RunAsync("retriggered", CancellationToken.None);

        Assert.Equal((FingerprintOutcomeKind.Built, (int?)2), (outcome.Kind, outcome.Version));
    }

    [Fact]
    public async Task Content_that_keeps_cutting_builds_off_ends_failed_with_its_reason_and_no_new_version()
    {
        var (job, sweep, time, options) = Create();
        await CrashedBuildAsync("crashes", attempts: options.MaxBuildAttempts - 1);
        time.Offset = options.FingerprintLease + TimeSpan.FromSeconds(1);

        var outcome = Assert.Single(await sweep.RunAsync(CancellationToken.None), o => o.ModelId == "crashes");

        Assert.Equal(FingerprintOutcomeKind.Failed, outcome.Kind);
        var row = await _app.Registry.GetAsync("crashes", CancellationToken.None);
        Assert.Equal((ModelStatus.Failed, true, 1), (row!.Status, row.FailureIsPermanent, row.LatestVersion));
        Assert.Contains("cut off", row.FailureReason, StringComparison.Ordinal);
        // Failed for good: neither a trigger nor the sweep starts it again.
        Assert.Equal(FingerprintOutcomeKind.Unchanged, (await job.RunAsync("crashes", CancellationToken.None)).Kind);
        Assert.DoesNotContain(await sweep.RunAsync(CancellationToken.None), o => o.ModelId == "crashes");
    }

    [Fact]
    public async Task A_build_whose_artifact_storage_refuses_fails_retryably_backs_off_longer_each_time_and_recovers_once_access_is_back()
    {
        // The fingerprints container signs with a wrong account key (a real 403 from Azurite), as after a key rotation or a
        // revoked role; the model files and the registry answer.
        var clients = _app.Services.GetRequiredService<StorageClients>();
        var key = new StorageSharedKeyCredential(clients.Blobs.AccountName, "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLWtleQ==");
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 0;
        var refusing = new StorageClients(new BlobServiceClient(clients.Blobs.Uri, key, options), clients.Queues, clients.Tables, _app.Services.GetRequiredService<IOptions<StorageOptions>>());
        var store = new BlobFingerprintStore(refusing, _app.Services.GetRequiredService<StorageResilience>());
        var (_, _, time, service) = Create();
        var loggers = _app.Services.GetRequiredService<ILoggerFactory>();
        var job = new FingerprintJob(_app.Registry, _app.Services.GetRequiredService<IModelFileStore>(), store, service, loggers.CreateLogger<FingerprintJob>(), time);
        var sweep = new FingerprintSweep(_app.Registry, job, service, loggers.CreateLogger<FingerprintSweep>(), time);
        await _app.UploadAsync("refused-artifact", Application.Inputs.ModelFiles.Options, TestModels.OptionsJson);
        await _app.UploadAsync("refused-artifact", Application.Inputs.ModelFiles.Model, TestModels.Cnn);
        await _app.UploadAsync("refused-artifact", Application.Inputs.ModelFiles.Reference, TestModels.Npy(TestModels.Reference()));

        await Assert.ThrowsAsync<StorageRejectedException>(() => job.RunAsync("refused-artifact", CancellationToken.None));
        var row = (await _app.Registry.GetAsync("refused-artifact", CancellationToken.None))!;
        Assert.Equal((ModelStatus.Failed, false, 1, (int?)null), (row.Status, row.FailureIsPermanent, row.FailedAttempts, row.BuildingVersion));
        Assert.Contains("could not be stored", row.FailureReason, StringComparison.Ordinal);
        Assert.Contains("(403", row.FailureReason, StringComparison.Ordinal);
        Assert.Contains("account key", row.FailureReason, StringComparison.Ordinal); // what to change
        Assert.True(sweep.NeedsWork(row, row.UpdatedAt + service.FingerprintLease)); // first retry after one lease

        // The sweep's retry fails the same way; the next one waits twice as long (it used to retry every lease for ever).
        time.Offset = service.FingerprintLease;
        await sweep.RunAsync(CancellationToken.None);
        row = (await _app.Registry.GetAsync("refused-artifact", CancellationToken.None))!;
        Assert.Equal((ModelStatus.Failed, false, 2), (row.Status, row.FailureIsPermanent, row.FailedAttempts));
        Assert.False(sweep.NeedsWork(row, row.UpdatedAt + service.FingerprintLease));
        Assert.True(sweep.NeedsWork(row, row.UpdatedAt + 2 * service.FingerprintLease));

        // Access is back: the next sweep builds it, no upload needed.
        key.SetAccountKey(AzuriteKey(_app.Services));
        time.Offset += 3 * service.FingerprintLease;
        await sweep.RunAsync(CancellationToken.None);
        row = (await _app.Registry.GetAsync("refused-artifact", CancellationToken.None))!;
        Assert.Equal((ModelStatus.Ready, 3, 0, (string?)null), (row.Status, row.CurrentVersion, row.FailedAttempts, row.FailureReason));
    }

    private static string AzuriteKey(IServiceProvider services)
    {
        var connection = services.GetRequiredService<IOptions<StorageAccount>>().Value.ConnectionString!;
        return connection.Split(';').Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];
    }
}
