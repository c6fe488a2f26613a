using System.Net;
using System.Net.Http.Headers;
using System.Text;
using NeuralFP.Core.Tensors;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.Tests.Http;

/// <summary>Every malformed batch for a ready model is a 400/413 problem that says what is wrong, and nothing in storage changes.</summary>
public sealed class BadRecordsTests(ReadyModelFixture fixture) : IClassFixture<ReadyModelFixture>
{
    private const string Url = $"api/models/{ReadyModelFixture.ModelId}/verdicts";

    private static HttpContent Json(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    private static HttpContent Npy(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-npy");
        return content;
    }

    private static string Record(int values, string fill = "0.5") => "[" + string.Join(",", Enumerable.Repeat(fill, values)) + "]";

    public static TheoryData<string, string, string> JsonCases => new()
    {
        { "malformed JSON", "{\"records\": [[0.1, 0.2", "not valid JSON" },
        { "NaN literal", "{\"records\": [" + Record(783) .Replace("]", ",NaN]") + "]}", "not valid JSON" },
        { "Infinity literal", "{\"records\": [" + Record(783).Replace("]", ",Infinity]") + "]}", "not valid JSON" },
        { "overflow to infinity", "{\"records\": [" + Record(783).Replace("]", ",1e999]") + "]}", "" },
        { "NaN as a string", "{\"records\": [" + Record(783).Replace("]", ",\"NaN\"]") + "]}", "" },
        { "wrong record length", "{\"records\": [" + Record(10) + "]}", "784" },
        { "empty batch", "{\"records\": []}", "empty" },
        { "no records field", "{\"rows\": [[1]]}", "\"records\"" },
        { "records not an array", "{\"records\": 3}", "array" },
        { "empty body", "", "empty" },
    };

    [Theory]
    [MemberData(nameof(JsonCases))]
    public async Task Bad_json_batches_are_400_and_change_nothing(string name, string body, string detail)
    {
        var before = await SnapshotAsync();
        var response = await fixture.App.Http.PostAsync(Url, Json(body));
        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, detail.Length == 0 ? [] : [detail]);
        Assert.True(before == await SnapshotAsync(), $"{name} changed storage");
    }

    [Fact]
    public async Task A_nan_inside_an_npy_body_is_400()
    {
        var data = new float[2 * 784];
        data[900] = float.NaN;
        var response = await fixture.App.Http.PostAsync(Url, Npy(TestModels.Npy(new FloatTensor(data, [2, 1, 28, 28]))));
        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_truncated_npy_body_is_400_about_the_file()
    {
        var bytes = TestModels.Npy(TestModels.Probe(4));
        var response = await fixture.App.Http.PostAsync(Url, Npy(bytes[..(bytes.Length - 100)]));
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("https://neuralfp.dev/problems/invalid-npy", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task An_npy_of_the_wrong_record_shape_is_400()
        => await Problems.AssertProblemAsync(await fixture.App.Http.PostAsync(Url, Npy(TestModels.Npy(new FloatTensor(new float[30], [3, 10])))), HttpStatusCode.BadRequest, "784");

    [Fact]
    public async Task More_records_than_allowed_is_413_naming_the_limit()
    {
        var body = "{\"records\": [" + string.Join(",", Enumerable.Repeat(Record(784), 65)) + "]}";
        var problem = await Problems.AssertProblemAsync(await fixture.App.Http.PostAsync(Url, Json(body)), HttpStatusCode.RequestEntityTooLarge, "65", "64", SettingNames.MaxRecordsPerRequest);
        Assert.Equal(64, problem.GetProperty("limit").GetInt32());
    }

    /// <summary>The registry row, the fingerprint files and the results container, as one comparable string.</summary>
    private async Task<string> SnapshotAsync()
    {
        var record = await fixture.App.Registry.GetAsync(ReadyModelFixture.ModelId, CancellationToken.None);
        var builder = new StringBuilder(record!.ETag);
        foreach (var container in new[] { fixture.App.Clients.Fingerprints, fixture.App.Clients.Results })
        {
            await foreach (var blob in container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, null, CancellationToken.None))
                builder.Append('|').Append(blob.Name).Append('@').Append(blob.Properties.ETag);
        }
        return builder.ToString();
    }
}
