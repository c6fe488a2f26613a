using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace NeuralFP.LocalHost.Tests;

/// <summary>HTTP requests reach the worker's function through the host (routes, methods, query, headers, body).</summary>
public sealed class HttpForwardingTests(SampleHostFixture fixture) : IClassFixture<SampleHostFixture>
{
    private SampleHost Sample => fixture.Sample;

    [Fact]
    public void The_worker_indexes_every_sample_function()
    {
        Assert.Equal(["Double", "Echo", "OnUpload", "Tick"], Sample.Host.FunctionNames.Order());
        Assert.NotNull(Sample.Host.WorkerProcessId);
        Assert.NotEqual(Environment.ProcessId, Sample.Host.WorkerProcessId);
    }

    [Fact]
    public async Task A_get_reaches_the_function_with_route_values_query_and_headers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "sample/echo/abc-1?x=1&y=two%20words");
        request.Headers.Add("X-Test", "header value");
        using var response = await Sample.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("abc-1", response.Headers.GetValues("X-Sample-Id").Single());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("abc-1", answer.GetProperty("id").GetString());
        Assert.Equal("GET", answer.GetProperty("method").GetString());
        Assert.Equal("1", answer.GetProperty("query").GetProperty("x").GetString());
        Assert.Equal("two words", answer.GetProperty("query").GetProperty("y").GetString());
        Assert.Equal("header value", answer.GetProperty("header").GetString());
        Assert.Equal(Sample.Host.WorkerProcessId, answer.GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task A_post_body_reaches_the_function_and_its_status_comes_back()
    {
        using var response = await Sample.Http.PostAsync("sample/echo/p", new StringContent("{\"hello\":\"world\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("{\"hello\":\"world\"}", answer.GetProperty("body").GetString());
        Assert.Equal("POST", answer.GetProperty("method").GetString());
    }

    [Fact]
    public async Task An_empty_body_keeps_its_content_type()
    {
        using var content = new ByteArrayContent([]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await Sample.Http.PostAsync("sample/echo/empty", content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("", answer.GetProperty("body").GetString());
        Assert.Equal("application/json", answer.GetProperty("contentType").GetString());
    }

    [Fact]
    public async Task Paths_outside_the_functions_routes_are_404_and_other_methods_405()
    {
        using var unknown = await Sample.Http.GetAsync("sample/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var noPrefix = await Sample.Http.GetAsync("api/echo/abc");
        Assert.Equal(HttpStatusCode.NotFound, noPrefix.StatusCode);

        using var put = await Sample.Http.PutAsync("sample/echo/abc", new StringContent("x"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
        Assert.Equal("application/problem+json", put.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Concurrent_requests_each_get_their_own_answer()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
            (i, await Sample.Http.GetFromJsonAsync<JsonElement>($"sample/echo/n{i}"))));

        foreach (var (i, answer) in answers) Assert.Equal($"n{i}", answer.GetProperty("id").GetString());
    }
}
