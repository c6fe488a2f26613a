using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Serialization;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;
using NeuralFP.Contracts;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.TestData;

namespace NeuralFP.Functions.Tests.Http;

/// <summary>
/// The verdicts answer on the wire: by default each verdict carries what a gateway acts on and the layers' thresholds
/// appear once; <c>?detail=layers</c> adds each record's per-layer evidence, from which every field of the in-process
/// verdict is recovered exactly; the streamed answer is byte for byte what the contract type serialises to.
/// </summary>
public sealed class VerdictWireFormatTests(ReadyModelFixture fixture) : IClassFixture<ReadyModelFixture>
{
    private const string Url = $"api/models/{ReadyModelFixture.ModelId}/verdicts";
    private static readonly string[] LeanFields = ["ood", "score", "pValue", "predictedClass", "maxProbability", "decidingLayer"];

    private static readonly FloatTensor Records = TestModels.Probe(40);

    private async Task<(FingerprintScorer Scorer, int Version)> InProcessScorerAsync()
    {
        var version = fixture.Ready.CurrentVersion!.Value;
        var files = await fixture.App.Services.GetRequiredService<IFingerprintStore>().ReadAsync(ReadyModelFixture.ModelId, version, CancellationToken.None);
        return (new FingerprintScorer(Fingerprint.FromFiles(files)), version);
    }

    private async Task<string> PostNpyAsync(FloatTensor records, string query = "")
    {
        using var content = new ByteArrayContent(Npy.ToBytes(records));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-npy");
        using var response = await fixture.App.Http.PostAsync(Url + query, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return text;
    }

    [Fact]
    public async Task By_default_each_verdict_carries_only_what_a_gateway_acts_on_and_thresholds_appear_once()
    {
        var text = await PostNpyAsync(Records);
        var body = JsonDocument.Parse(text).RootElement;
        var layers = body.GetProperty("layers");
        Assert.Equal("verdict", body.GetProperty("detail").GetString());
        Assert.Equal(fixture.Ready.Layers, layers.EnumerateArray().Select(l => l.GetProperty("layer").GetString()!));
        Assert.All(layers.EnumerateArray(), l => Assert.Equal(["layer", "lower", "upper"], l.EnumerateObject().Select(p => p.Name)));
        // Thresholds once per answer, not per record.
        Assert.Equal(layers.GetArrayLength(), CountOccurrences(text, "\"upper\":"));
        Assert.Equal(layers.GetArrayLength(), CountOccurrences(text, "\"lower\":"));
        var verdicts = body.GetProperty("verdicts");
        Assert.Equal(Records.Records, verdicts.GetArrayLength());
        Assert.All(verdicts.EnumerateArray(), v => Assert.Equal(LeanFields, v.EnumerateObject().Select(p => p.Name)));
        Assert.All(verdicts.EnumerateArray(), v => Assert.Contains(v.GetProperty("decidingLayer").GetString(), fixture.Ready.Layers));
        Assert.Equal(verdicts.EnumerateArray().Count(v => v.GetProperty("ood").GetBoolean()), body.GetProperty("oodRecords").GetInt32());
    }

    [Fact]
    public async Task With_detail_layers_every_field_of_the_in_process_verdict_is_recovered_exactly()
    {
        var text = await PostNpyAsync(Records, "?detail=layers");
        var answer = JsonSerializer.Deserialize<VerdictsResponse>(text, JsonDefaults.Options)!;
        Assert.Equal("layers", answer.Detail);
        Assert.All(answer.Verdicts, v => Assert.Equal(answer.Layers.Count, v.Layers!.Count));
        Assert.Equal(answer.Layers.Count, CountOccurrences(text, "\"upper\":"));
        using var body = JsonDocument.Parse(text);
        Assert.All(body.RootElement.GetProperty("verdicts").EnumerateArray(), v =>
        {
            Assert.Equal([.. LeanFields, "layers"], v.EnumerateObject().Select(p => p.Name));
            Assert.All(v.GetProperty("layers").EnumerateArray(), l => Assert.Equal(["error", "pValue", "fired"], l.EnumerateObject().Select(p => p.Name)));
        });

        var (scorer, _) = await InProcessScorerAsync();
        using (scorer)
        {
            var expected = scorer.Score(Records);
            for (var r = 0; r < expected.Count; r++)
            {
                var wire = answer.Verdicts[r].ToVerdict(answer.Layers);
                var local = expected[r];
                Assert.Equal((local.Ood, local.Score, local.PValue, local.PredictedClass, local.MaxProbability), (wire.Ood, wire.Score, wire.PValue, wire.PredictedClass, wire.MaxProbability));
                Assert.Equal(local.Layers, wire.Layers);
                Assert.Equal(local.FiredLayers, wire.FiredLayers);
                Assert.Equal(DecidingLayer.Strongest(local).Layer, answer.Verdicts[r].DecidingLayer);
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("?detail=layers")]
    public async Task The_streamed_answer_is_exactly_what_the_contract_type_serialises_to(string query)
    {
        var text = await PostNpyAsync(Records, query);
        var (scorer, version) = await InProcessScorerAsync();
        using (scorer)
        {
            var batch = scorer.Score(Records);
            var layers = query.Length > 0;
            var contract = new VerdictsResponse(ReadyModelFixture.ModelId, version, batch.Count, batch.OodCount, layers ? "layers" : "verdict",
                [.. batch.Layers.Select((name, l) => new LayerThresholds(name, batch.Lower(l), batch.Upper(l)))],
                [.. Enumerable.Range(0, batch.Count).Select(r => new RecordVerdict(batch.Ood[r], batch.Scores[r], batch.PValues[r], batch.PredictedClasses[r],
                    batch.MaxProbabilities[r], batch.Layers[batch.DecidingLayers[r]],
                    layers ? [.. Enumerable.Range(0, batch.LayerCount).Select(l => new LayerEvidence(batch.Errors(r)[l], batch.LayerPValues(r)[l], batch.Fired(r)[l]))] : null))]);
            Assert.Equal(JsonSerializer.Serialize(contract, JsonDefaults.Options), text);
        }
    }

    [Fact]
    public async Task Explanations_keep_working_with_either_detail()
    {
        var lean = JsonDocument.Parse(await PostNpyAsync(Records, "?explain=true&top=3")).RootElement;
        var detailed = JsonDocument.Parse(await PostNpyAsync(Records, "?explain=true&top=3&detail=layers")).RootElement;
        foreach (var body in new[] { lean, detailed })
        {
            var explanations = body.GetProperty("explanations");
            Assert.Equal(Records.Records, explanations.GetArrayLength());
            for (var r = 0; r < Records.Records; r++)
                Assert.Equal(body.GetProperty("verdicts")[r].GetProperty("decidingLayer").GetString(), explanations[r].GetProperty("decidingLayer").GetString());
        }
        Assert.Equal(lean.GetProperty("explanations").ToString(), detailed.GetProperty("explanations").ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("?detector=energy")]
    public async Task The_answer_says_how_long_the_worker_read_and_scored(string query)
    {
        using var content = new ByteArrayContent(Npy.ToBytes(Records));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-npy");
        using var response = await fixture.App.Http.PostAsync(Url + query, content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var timing = Assert.Single(response.Headers.GetValues("Server-Timing"));
        var match = System.Text.RegularExpressions.Regex.Match(timing, @"^read;dur=(\d+\.\d{3}), score;dur=(\d+\.\d{3})$");
        Assert.True(match.Success, timing);
        Assert.True(double.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, timing);
    }

    [Fact]
    public async Task An_unknown_detail_is_a_400_naming_the_choices()
    {
        using var response = await fixture.App.Http.PostAsync($"{Url}?detail=everything", new StringContent(TestModels.RecordsJson(TestModels.Probe(1)), Encoding.UTF8, "application/json"));
        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "everything", "layers");
    }

    [Fact]
    public async Task Npy_bodies_of_one_size_decoded_into_reused_arrays_give_the_verdicts_of_json_bodies()
    {
        // Same-sized .npy bodies reuse pooled arrays; each answer must still be its own records'.
        var first = FashionMnist.Test().Take(16).Images;
        var second = FashionMnist.Test().Select(Enumerable.Range(100, 16)).Images;
        var answers = new List<string>();
        foreach (var records in new[] { first, second, first, second })
            answers.Add(JsonDocument.Parse(await PostNpyAsync(records, "?detail=layers")).RootElement.GetProperty("verdicts").ToString());
        using var json = await fixture.App.Http.PostAsync(Url + "?detail=layers", new StringContent(TestModels.RecordsJson(second), Encoding.UTF8, "application/json"));
        var fromJson = JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement.GetProperty("verdicts").ToString();
        Assert.Equal(fromJson, answers[1]);
        Assert.Equal(answers[1], answers[3]);
        Assert.Equal(answers[0], answers[2]);
        Assert.NotEqual(answers[0], answers[1]);
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
