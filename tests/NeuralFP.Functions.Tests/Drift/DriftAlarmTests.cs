using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Core.Tensors;
using NeuralFP.Application.Drift;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.TestData;
using Xunit.Abstractions;

namespace NeuralFP.Functions.Tests.Drift;

/// <summary>
/// A seeded stream through the real verdicts endpoint: Fashion-MNIST test images (in distribution), then uniform noise.
/// The drift alarm stays down before the shift, goes up within one window after it, flags the registry row and puts
/// one alert on the alerts queue.
/// </summary>
public sealed class DriftAlarmTests(DriftFixture fixture, ITestOutputHelper output) : IClassFixture<DriftFixture>
{
    private const int BatchSize = 20;

    private TestApp App => fixture.App;

    private async Task<JsonElement> PostAsync(string modelId, FloatTensor records)
    {
        var response = await App.Http.PostAsync($"api/models/{modelId}/verdicts", new StringContent(TestModels.RecordsJson(records), Encoding.UTF8, "application/json"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    private async Task<JsonElement> DriftAsync(string modelId)
    {
        var response = await App.Http.GetAsync($"api/models/{modelId}/drift");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private static IEnumerable<FloatTensor> Batches(FloatTensor records)
    {
        for (var start = 0; start < records.Records; start += BatchSize)
            yield return records.Slice(start, Math.Min(BatchSize, records.Records - start));
    }

    [Fact]
    public async Task The_alarm_fires_after_the_shift_within_one_window_and_not_before()
    {
        var inDistribution = FashionMnist.Test().Take(300).Images;
        var noise = OodSets.UniformNoise(DriftFixture.WindowSize, seed: 20261123);
        var sent = 0;
        var ood = 0;

        foreach (var batch in Batches(inDistribution))
        {
            ood += (await PostAsync(DriftFixture.StreamModel, batch)).GetProperty("oodRecords").GetInt32();
            sent += batch.Records;
            var drift = await DriftAsync(DriftFixture.StreamModel);
            Assert.False(drift.GetProperty("alarm").GetBoolean(), $"False alarm after {sent} in-distribution records: {drift}");
            Assert.Equal(Math.Min(sent, DriftFixture.WindowSize), drift.GetProperty("count").GetInt32());
        }
        var before = await DriftAsync(DriftFixture.StreamModel);
        output.WriteLine($"In distribution: {ood} of {sent} OOD; window {before}");
        Assert.Equal(sent, before.GetProperty("totalRecords").GetInt64());
        Assert.Empty(await TestApp.PeekAllAsync(App.Clients.Alerts));

        int? firedAfter = null;
        var noiseSent = 0;
        foreach (var batch in Batches(noise))
        {
            await PostAsync(DriftFixture.StreamModel, batch);
            noiseSent += batch.Records;
            if ((await DriftAsync(DriftFixture.StreamModel)).GetProperty("alarm").GetBoolean())
            {
                firedAfter = noiseSent;
                break;
            }
        }
        output.WriteLine($"Alarm after {firedAfter} noise records.");
        Assert.True(firedAfter is not null, $"No alarm within a window ({DriftFixture.WindowSize}) of noise records.");

        var alarmed = await DriftAsync(DriftFixture.StreamModel);
        Assert.True(alarmed.GetProperty("pValue").GetDouble() < DriftFixture.Alpha);
        Assert.True(alarmed.GetProperty("rate").GetDouble() > alarmed.GetProperty("expectedRate").GetDouble());
        Assert.Equal(1, alarmed.GetProperty("alarmsRaised").GetInt32());

        var model = JsonDocument.Parse(await App.Http.GetStringAsync($"api/models/{DriftFixture.StreamModel}")).RootElement;
        Assert.True(model.GetProperty("driftAlarm").GetBoolean());
        Assert.Equal(alarmed.GetProperty("alarmSince").GetDateTimeOffset(), model.GetProperty("driftAlarmSince").GetDateTimeOffset());
        var row = await App.Services.GetRequiredService<NeuralFP.Application.Ports.IDriftStore>().GetAsync(DriftFixture.StreamModel, CancellationToken.None);
        Assert.Equal((false, false), (row!.AlertPending, row.RegistryPending)); // everything the alarm owed is done

        // More noise keeps the alarm up without raising it again: one alert per alarm.
        await PostAsync(DriftFixture.StreamModel, noise.Slice(0, BatchSize));
        var alert = JsonDocument.Parse(Assert.Single(await TestApp.PeekAllAsync(App.Clients.Alerts))).RootElement;
        Assert.Equal(("drift-alarm", DriftFixture.StreamModel, 1), (alert.GetProperty("kind").GetString(), alert.GetProperty("modelId").GetString(), alert.GetProperty("alarmId").GetInt32()));
        Assert.Equal(alarmed.GetProperty("modelVersion").GetInt32(), alert.GetProperty("modelVersion").GetInt32());
        Assert.True(alert.GetProperty("pValue").GetDouble() < DriftFixture.Alpha);
        Assert.Equal(DriftFixture.WindowSize, alert.GetProperty("windowSize").GetInt32());
    }
}
