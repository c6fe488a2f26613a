using System.Net;
using System.Net.Http.Headers;
using System.Text;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Application.Inputs;
using NeuralFP.Application.Ports;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Hosting;
using NeuralFP.Application.Registry;

namespace NeuralFP.Functions.Tests.Http;

/// <summary>Requests that cannot be served get a problem+json 4xx that says why, and change nothing.</summary>
public sealed class ErrorResponseTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync()
        => _app = await TestApp.StartAsync(settings:
        [
            StorageNames.Setting(SettingNames.MaxRequestBytes, "4096"),
            StorageNames.Setting(SettingNames.MaxRecordValues, "100"),
        ]);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Unknown_model_is_404()
    {
        var response = await _app.Http.PostAsync("api/models/ghost/verdicts", Json("{\"records\":[[1]]}"));
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, "ghost", "unknown");
        Assert.Equal("ghost", problem.GetProperty("modelId").GetString());
        Assert.Null(await _app.Registry.GetAsync("ghost", CancellationToken.None));
    }

    [Fact]
    public async Task Unknown_model_details_are_404()
        => await Problems.AssertProblemAsync(await _app.Http.GetAsync("api/models/ghost"), HttpStatusCode.NotFound, "ghost");

    [Fact]
    public async Task Invalid_model_id_is_400()
        => await Problems.AssertProblemAsync(await _app.Http.PostAsync("api/models/bad%20id/verdicts", Json("{\"records\":[[1]]}")), HttpStatusCode.BadRequest, "not a valid model id");

    [Fact]
    public async Task Model_waiting_for_its_reference_is_409_with_its_status()
    {
        await _app.UploadAsync("half", ModelFiles.Model, [1, 2, 3]);
        await _app.WaitForStatusAsync("half", ModelStatus.Pending);
        var before = await _app.Registry.GetAsync("half", CancellationToken.None);

        var response = await _app.Http.PostAsync("api/models/half/verdicts", Json("{\"records\":[[1]]}"));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict, "not ready", "reference.npy");
        Assert.Equal("pending", problem.GetProperty("modelStatus").GetString());
        Assert.Equal(before!.ETag, (await _app.Registry.GetAsync("half", CancellationToken.None))!.ETag);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    public async Task Wrong_content_type_is_415(string contentType)
    {
        var content = new StringContent("1,2,3", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        await Problems.AssertProblemAsync(await _app.Http.PostAsync("api/models/any/verdicts", content), HttpStatusCode.UnsupportedMediaType, contentType, "application/x-npy");
        await Problems.AssertProblemAsync(await _app.Http.PostAsync("api/match", content), HttpStatusCode.UnsupportedMediaType, contentType);
    }

    [Fact]
    public async Task Body_over_the_byte_limit_is_413_naming_the_limit()
    {
        var big = "{\"records\":[[" + string.Join(",", Enumerable.Repeat("0.5", 2000)) + "]]}";
        var response = await _app.Http.PostAsync("api/match", Json(big));
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "4,096", SettingNames.MaxRequestBytes);
        Assert.Equal(4096, problem.GetProperty("limit").GetInt64());
        Assert.Equal(SettingNames.MaxRequestBytes, problem.GetProperty("setting").GetString());
    }

    [Fact]
    public async Task A_record_with_more_values_than_allowed_is_413_naming_the_limit()
    {
        var record = "[" + string.Join(",", Enumerable.Repeat("[1,2,3,4,5,6,7,8,9,10,11]", 10)) + "]";
        var response = await _app.Http.PostAsync("api/match", Json("{\"records\":[" + record + "]}"));
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "110", SettingNames.MaxRecordValues);
        Assert.Equal(100, problem.GetProperty("limit").GetInt64());
    }

    [Fact]
    public async Task Match_with_no_ready_model_is_409()
        => await Problems.AssertProblemAsync(await _app.Http.PostAsync("api/match", Json("{\"records\":[[1]]}")), HttpStatusCode.Conflict, "No model has a fingerprint");

    [Fact]
    public async Task Unknown_route_is_a_problem_too()
        => await Problems.AssertProblemAsync(await _app.Http.GetAsync("api/nothing-here"), HttpStatusCode.NotFound, "/api/nothing-here", "openapi.json");
}
