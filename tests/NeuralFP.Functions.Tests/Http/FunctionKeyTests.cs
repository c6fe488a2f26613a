using System.Net;
using NeuralFP.Functions.Middleware;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.Tests.Http;

/// <summary>With a function key configured, the app checks it as the host's authLevel: function would; health and OpenAPI stay anonymous.</summary>
public sealed class FunctionKeyTests : IAsyncLifetime
{
    private const string Key = "local-test-key-0123456789";
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(settings: [StorageNames.Setting(SettingNames.FunctionKey, Key)]);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Requests_without_the_key_are_401()
    {
        await Problems.AssertProblemAsync(await _app.Http.GetAsync("api/models"), HttpStatusCode.Unauthorized, FunctionKeyMiddleware.HeaderName);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "api/models") { Headers = { { FunctionKeyMiddleware.HeaderName, Key + "x" } } };
        await Problems.AssertProblemAsync(await _app.Http.SendAsync(wrong), HttpStatusCode.Unauthorized);
        await Problems.AssertProblemAsync(await _app.Http.PostAsync("api/match", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_key_in_the_header_or_the_code_parameter_is_accepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/models") { Headers = { { FunctionKeyMiddleware.HeaderName, Key } } };
        Assert.Equal(HttpStatusCode.OK, (await _app.Http.SendAsync(request)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.Http.GetAsync($"api/models?code={Key}")).StatusCode);
    }

    [Fact]
    public async Task Health_and_openapi_need_no_key()
    {
        Assert.Equal(HttpStatusCode.OK, (await _app.Http.GetAsync("api/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.Http.GetAsync("api/openapi.json")).StatusCode);
    }
}
