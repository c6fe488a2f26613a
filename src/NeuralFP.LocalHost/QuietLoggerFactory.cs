using Microsoft.Extensions.Logging;

namespace NeuralFP.LocalHost;

/// <summary>
/// The host's own web server logs through this: ASP.NET Core's and gRPC's categories (a "Request starting" and a "Request
/// finished" line for every forwarded request and every gRPC message stream) at Warning and above only, everything
/// else as the caller's factory filters it. Two formatted lines per request cost the host more CPU than forwarding it.
/// </summary>
internal sealed class QuietLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private static readonly string[] QuietPrefixes = ["Microsoft.AspNetCore", "Grpc"];

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return QuietPrefixes.Any(p => categoryName.StartsWith(p, StringComparison.Ordinal)) ? new WarningsOnly(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>The factory belongs to the caller, who disposes it.</summary>
    public void Dispose()
    {
    }

    private sealed class WarningsOnly(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
