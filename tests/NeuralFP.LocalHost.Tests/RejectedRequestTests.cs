using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace NeuralFP.LocalHost.Tests;

/// <summary>
/// Requests Kestrel rejects before any middleware (a malformed or too long request line, too many or too large
/// headers) get problem+json bodies from the running host, over a raw socket as a client would send them; a request
/// just under the host's limits still reaches the worker's function, whose own Kestrel has its default limits.
/// </summary>
public sealed class RejectedRequestTests(SampleHostFixture fixture) : IClassFixture<SampleHostFixture>
{
    private SampleHost Sample => fixture.Sample;

    [Fact]
    public async Task A_request_line_over_8_KiB_is_a_414_problem()
    {
        var answer = await RawAsync($"GET /sample/echo/x?q={new string('a', 9 * 1024)} HTTP/1.1\r\nHost: localhost\r\n\r\n");

        Assert.Equal(414, answer.Status);
        var problem = answer.Problem();
        Assert.Equal(414, problem.GetProperty("status").GetInt32());
        Assert.Contains("8,192 bytes", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Headers_over_the_total_size_are_a_431_problem()
    {
        var headers = string.Concat(Enumerable.Range(0, 40).Select(i => $"X-Pad-{i}: {new string('h', 1000)}\r\n"));
        var answer = await RawAsync($"GET /sample/echo/x HTTP/1.1\r\nHost: localhost\r\n{headers}\r\n");

        Assert.Equal(431, answer.Status);
        Assert.Contains(LocalFunctionsHost.ForwardedHeadersLimit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " bytes",
            answer.Problem().GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Too_many_headers_are_a_431_problem()
    {
        var headers = string.Concat(Enumerable.Range(0, LocalFunctionsHost.ForwardedHeaderCountLimit + 5).Select(i => $"X-N-{i}: {i}\r\n"));
        var answer = await RawAsync($"GET /sample/echo/x HTTP/1.1\r\nHost: localhost\r\n{headers}\r\n");

        Assert.Equal(431, answer.Status);
        Assert.Contains($"{LocalFunctionsHost.ForwardedHeaderCountLimit} headers", answer.Problem().GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("GET /sample/echo/a b HTTP/1.1", 400)]    // a space in the target
    [InlineData("GET /sample/echo/a HTTP/1.1 extra", 400)] // junk after the version
    [InlineData("GET /sample/echo/a HTTP/3.0", 505)]       // a version HTTP/1.1 cannot speak
    [InlineData("G\u0001T /sample/echo/a HTTP/1.1", 400)]   // a control character in the method
    [InlineData("GET sample/echo/a HTTP/1.1", 400)]         // a target that is not a path
    public async Task A_malformed_request_line_is_a_problem(string requestLine, int status)
    {
        var answer = await RawAsync($"{requestLine}\r\nHost: localhost\r\n\r\n");

        Assert.Equal(status, answer.Status);
        var problem = answer.Problem();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Contains("request line", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_request_just_under_the_limits_reaches_the_function()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"sample/echo/under?q={new string('a', 7 * 1024)}");
        // Just under the host's limits in size and count, so the three headers the host adds take the forwarded request
        // to the worker's Kestrel defaults (32 KiB, 100 headers) without going over.
        for (var i = 0; i < 29; i++) request.Headers.Add($"X-Pad-{i}", new string('h', 1000));
        for (var i = 0; i < LocalFunctionsHost.ForwardedHeaderCountLimit - 29 - 4; i++) request.Headers.Add($"X-N-{i}", "n");
        request.Headers.Add("X-Test", "still here");
        using var response = await Sample.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("under", answer.GetProperty("id").GetString());
        Assert.Equal("still here", answer.GetProperty("header").GetString());
    }

    [Fact]
    public async Task An_ordinary_empty_answer_is_left_alone()
    {
        // A 404 with no body from the host's own routing, on a connection the client closes: not a Kestrel rejection.
        var answer = await RawAsync("GET /sample/nothing-here HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        Assert.Equal(404, answer.Status);
        Assert.Equal("", answer.Body);
    }

    private sealed record RawAnswer(int Status, string Head, string Body)
    {
        public JsonElement Problem()
        {
            Assert.Contains("\r\nContent-Type: application/problem+json\r\n", Head);
            Assert.Contains($"\r\nContent-Length: {Encoding.UTF8.GetByteCount(Body)}\r\n", Head);
            return JsonDocument.Parse(Body).RootElement;
        }
    }

    /// <summary>Sends <paramref name="request"/> as bytes and reads the answer until the host closes the connection.</summary>
    private async Task<RawAnswer> RawAsync(string request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(Sample.Host.HttpAddress.Host, Sample.Host.HttpAddress.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request), timeout.Token);
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token);
        var text = Encoding.UTF8.GetString(received.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, $"no complete answer: '{text}'");
        return new RawAnswer(int.Parse(text.AsSpan(9, 3)), text[..(split + 2)], text[(split + 4)..]);
    }
}
