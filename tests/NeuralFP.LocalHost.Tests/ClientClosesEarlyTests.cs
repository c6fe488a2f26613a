using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace NeuralFP.LocalHost.Tests;

/// <summary>
/// A client that goes away before it has read its answer (curl -f closes on a 4xx without reading the body) must not
/// make the host drop the worker's InvocationResponse that arrives later ("The worker answered '…', which nothing
/// waits for"): the host still takes every invocation's answer, and keeps serving.
/// </summary>
public sealed class ClientClosesEarlyTests
{
    [Fact]
    public async Task Every_invocation_answer_is_taken_when_clients_close_early()
    {
        var warnings = new WarningCollector();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(warnings));
        await using var sample = await SampleHost.StartAsync(logs: loggers);
        for (var i = 0; i < 20; i++)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(sample.Host.HttpAddress.Host, sample.Host.HttpAddress.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /sample/echo/c{i} HTTP/1.1\r\nHost: localhost\r\n\r\n"));
            // Read at most the first bytes of the answer (or none, every other time), then close.
            if (i % 2 == 1) _ = await stream.ReadAsync(new byte[16]);
            client.Close();
        }
        // The worker answers an invocation whose HTTP request never reached it after its 5 s wait for that request.
        await Task.Delay(TimeSpan.FromSeconds(7));

        Assert.DoesNotContain(warnings.Messages, m => m.Contains("nothing waits for", StringComparison.Ordinal));
        using var after = await sample.Http.GetAsync("sample/echo/after");
        Assert.Equal(System.Net.HttpStatusCode.OK, after.StatusCode);
    }

    private sealed class WarningCollector : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<string> _messages = new();
        public IReadOnlyCollection<string> Messages => _messages;
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) _messages.Enqueue(formatter(state, exception));
        }
        public void Dispose() { }
    }
}
