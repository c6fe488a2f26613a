using System.Diagnostics;
using System.Text.Json;
using NeuralFP.Application.Registry;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Faults;

/// <summary>What the fault tests share: recovery settings short enough for a test, a build long enough to interrupt, and waits that survive an outage.</summary>
internal static class FaultRun
{
    /// <summary>The 2-minute bar of issue 10: a cut-off build ends ready or failed within it, with no manual step.</summary>
    public static readonly TimeSpan RecoveryBar = TimeSpan.FromMinutes(2);

    /// <summary>Shortest lease the options allow (10 s) and a sweep every 2 s, so a takeover comes seconds after the fault.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> FastRecovery(string? storage = null)
    {
        yield return StorageNames.Setting(SettingNames.FingerprintLeaseSeconds, "10");
        yield return StorageNames.Setting(SettingNames.SweepSchedule, "*/2 * * * * *");
        if (storage is not null)
        {
            yield return StorageNames.Setting(SettingNames.Storage, storage);
            yield return StorageNames.Setting(SettingNames.StorageMaxRetries, "1");
        }
    }

    /// <summary>Reference records: enough that a build runs for several seconds, so a fault lands in the middle of it.</summary>
    public const int ReferenceRecords = 3000;

    /// <summary>More epochs than <see cref="TestModels.Options"/> (no early stop), for the same reason.</summary>
    public static readonly byte[] SlowOptionsJson = JsonSerializer.SerializeToUtf8Bytes(
        TestModels.Options with { Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 12, Patience = 12, HiddenSize = 32 } }, FingerprintJson.Options);

    /// <summary>Uploads a model whose build takes a while and waits until its row says <c>fingerprinting</c>.</summary>
    public static async Task<ModelRecord> StartSlowBuildAsync(TestApp app, string modelId)
    {
        var reference = TestModels.Npy(TestModels.Reference(count: ReferenceRecords));
        await app.UploadAsync(modelId, Application.Inputs.ModelFiles.Options, SlowOptionsJson);
        await app.UploadAsync(modelId, Application.Inputs.ModelFiles.Model, TestModels.Cnn);
        await app.UploadAsync(modelId, Application.Inputs.ModelFiles.Reference, reference);
        return await app.WaitForStatusAsync(modelId, ModelStatus.Fingerprinting);
    }

    /// <summary>
    /// Waits (within <see cref="RecoveryBar"/>) until the model is ready or failed, reading the row through storage that
    /// may still be coming back (failed reads are retried, not thrown). Returns the row and the time it took.
    /// </summary>
    public static async Task<(ModelRecord Row, TimeSpan Elapsed)> WaitUntilSettledAsync(TestApp app, string modelId)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < RecoveryBar)
        {
            try
            {
                if (await app.Registry.GetAsync(modelId, CancellationToken.None) is { Status: ModelStatus.Ready or ModelStatus.Failed } row) return (row, clock.Elapsed);
            }
            catch (Exception e)
            {
                last = e; // storage still coming back
            }
            await Task.Delay(200);
        }
        var final = await ReadQuietlyAsync(app, modelId);
        throw new Xunit.Sdk.XunitException($"Model {modelId} did not settle within {RecoveryBar.TotalSeconds} s: status {final?.Status}, " +
            $"lease until {final?.LeaseExpiresAt:O}, attempts {final?.BuildAttempts}, reason '{final?.FailureReason}'; last read error: {last?.Message}");
    }

    private static async Task<ModelRecord?> ReadQuietlyAsync(TestApp app, string modelId)
    {
        try
        {
            return await app.Registry.GetAsync(modelId, CancellationToken.None);
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>A probe through the public API: the recovered model answers verdicts.</summary>
    public static async Task AssertServesVerdictsAsync(TestApp app, string modelId)
    {
        var response = await app.Http.PostAsync($"api/models/{modelId}/verdicts",
            new StringContent(TestModels.RecordsJson(TestModels.Probe(4)), System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"verdicts after recovery: {(int)response.StatusCode} {body}");
        Assert.Equal(4, JsonDocument.Parse(body).RootElement.GetProperty("verdicts").GetArrayLength());
    }
}
