using System.Net;
using System.Text.Json;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Http;

/// <summary>Health reports storage reachability; the OpenAPI document lists every public operation.</summary>
public sealed class ServiceDocumentTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Health_is_healthy_when_storage_answers()
    {
        var response = await _app.Http.GetAsync("api/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("healthy", "ok", "isolated-worker"), (body.GetProperty("status").GetString(), body.GetProperty("storage").GetString(), body.GetProperty("mode").GetString()));
    }

    [Fact]
    public async Task Openapi_document_describes_every_public_operation_and_its_errors()
    {
        var document = JsonDocument.Parse(await _app.Http.GetStringAsync("api/openapi.json")).RootElement;
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/models/{modelId}/verdicts", "/api/match", "/api/models", "/api/models/{modelId}", "/api/health", "/api/models/{modelId}/drift", "/api/models/{modelId}/report" })
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI lacks {path}");
        Assert.False(paths.TryGetProperty("/ScoreBatch", out _));
        var verdicts = paths.GetProperty("/api/models/{modelId}/verdicts").GetProperty("post");
        var content = verdicts.GetProperty("requestBody").GetProperty("content");
        Assert.True(content.TryGetProperty("application/json", out _));
        Assert.True(content.TryGetProperty("application/x-npy", out _));
        foreach (var status in new[] { "200", "400", "404", "409", "413", "415" })
            Assert.True(verdicts.GetProperty("responses").TryGetProperty(status, out _), $"verdicts lacks response {status}");
        var detector = verdicts.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "detector");
        Assert.Equal("query", detector.GetProperty("in").GetString());
        var schema = verdicts.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var alternatives = schema.GetProperty("oneOf").EnumerateArray().Select(s => s.GetProperty("$ref").GetString()).ToList();
        Assert.Equal(["#/components/schemas/VerdictsResponse", "#/components/schemas/DetectorVerdictsResponse"], alternatives);
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("DetectorVerdictsResponse", out _));
    }
}
