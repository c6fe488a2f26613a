using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Application.Ports;

namespace NeuralFP.Functions.Tests.Http;

/// <summary>
/// <c>?detector=name</c> on the verdicts endpoint answers with that detector's calibrated verdicts, exactly as the
/// engine gives them for the stored fingerprint; without it (or with <c>fingerprint</c>) the answer is unchanged;
/// an unknown name is a 400 listing the available detectors.
/// </summary>
public sealed class DetectorVerdictsTests(ReadyModelFixture fixture) : IClassFixture<ReadyModelFixture>
{
    private const string Url = $"api/models/{ReadyModelFixture.ModelId}/verdicts";

    private static readonly Core.Tensors.FloatTensor Records = TestModels.Probe(8);

    public static TheoryData<string> Detectors => [.. DetectorNames.All];

    private static StringContent Body() => new(TestModels.RecordsJson(Records), Encoding.UTF8, "application/json");

    private async Task<Fingerprint> StoredFingerprintAsync()
    {
        var files = await fixture.App.Services.GetRequiredService<IFingerprintStore>().ReadAsync(ReadyModelFixture.ModelId, fixture.Ready.CurrentVersion!.Value, CancellationToken.None);
        return Fingerprint.FromFiles(files);
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public async Task A_named_detector_answers_with_the_engines_scores_thresholds_and_p_values(string name)
    {
        var response = await fixture.App.Http.PostAsync($"{Url}?detector={name}", Body());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.IsSuccessStatusCode, body.ToString());

        using var direct = new FingerprintScorer(await StoredFingerprintAsync());
        var expected = direct.ScoreDetectors(Records, [name])[0];
        var fitted = direct.Fingerprint.Detectors[name];

        Assert.Equal((name, Records.Records, fixture.Ready.CurrentVersion), (body.GetProperty("detector").GetString(), body.GetProperty("records").GetInt32(), body.GetProperty("modelVersion").GetInt32()));
        Assert.Equal(fitted.Detector.KeepsReferenceData, body.GetProperty("keepsReferenceData").GetBoolean());
        // The interval of its threshold's rate on new data, from the held-out records that set it.
        var interval = fitted.Calibration.NewDataFprInterval();
        var newData = body.GetProperty("newDataFpr");
        Assert.Equal((interval.Low, interval.High, interval.CalibrationRecords), (newData.GetProperty("low").GetDouble(), newData.GetProperty("high").GetDouble(), newData.GetProperty("calibrationRecords").GetInt32()));
        Assert.Equal(expected.Ood.Count(o => o), body.GetProperty("oodRecords").GetInt32());
        var verdicts = body.GetProperty("verdicts");
        Assert.Equal(Records.Records, verdicts.GetArrayLength());
        for (var r = 0; r < Records.Records; r++)
        {
            var verdict = verdicts[r];
            Assert.Equal(name, verdict.GetProperty("detector").GetString());
            Assert.Equal(expected.Scores[r], verdict.GetProperty("score").GetDouble(), 1e-9);
            Assert.Equal(expected.PValues[r], verdict.GetProperty("pValue").GetDouble(), 1e-12);
            Assert.Equal(expected.Ood[r], verdict.GetProperty("ood").GetBoolean());
            Assert.Equal(expected.Threshold, verdict.GetProperty("threshold").GetDouble(), 1e-12);
            Assert.Equal(verdict.GetProperty("score").GetDouble() > verdict.GetProperty("threshold").GetDouble(), verdict.GetProperty("ood").GetBoolean());
        }
    }

    [Fact]
    public async Task Without_a_detector_or_with_fingerprint_the_answer_is_the_fingerprints()
    {
        var plain = await fixture.App.Http.PostAsync(Url, Body());
        var named = await fixture.App.Http.PostAsync($"{Url}?detector=Fingerprint", Body());
        var plainBody = JsonDocument.Parse(await plain.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(plainBody.ToString(), JsonDocument.Parse(await named.Content.ReadAsStringAsync()).RootElement.ToString());
        Assert.False(plainBody.TryGetProperty("detector", out _));
        Assert.True(plainBody.GetProperty("verdicts")[0].TryGetProperty("decidingLayer", out _));
    }

    [Fact]
    public async Task An_unknown_detector_is_a_400_listing_every_available_one()
    {
        var response = await fixture.App.Http.PostAsync($"{Url}?detector=isolation-forest", Body());

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "isolation-forest", "fingerprint");
        var available = problem.GetProperty("available").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.Equal(["fingerprint", .. (await StoredFingerprintAsync()).Detectors.Names], available);
        Assert.Equal("isolation-forest", problem.GetProperty("detector").GetString());
    }
}
