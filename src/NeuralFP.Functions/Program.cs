using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Middleware;
using NeuralFP.Functions.Telemetry;

namespace NeuralFP.Functions;

public static class Program
{
    /// <summary>Log categories that say something per request or per storage call; warnings and errors only, unless a setting says otherwise.</summary>
    internal static readonly string[] QuietCategories = ["Microsoft.AspNetCore", "Azure.Core", "Azure.Storage", "Azure.Data", "Polly"];

    public static Task Main(string[] args) => RunAsync(args, new Dictionary<string, string?>(), configure: null, CancellationToken.None);

    /// <summary>The worker's entry point; <paramref name="settings"/> and <paramref name="configure"/> let a test run it in its own process.</summary>
    public static async Task RunAsync(string[] args, IReadOnlyDictionary<string, string?> settings, Action<FunctionsApplicationBuilder>? configure, CancellationToken cancellationToken)
    {
        // Every model's scorer runs on one intra-op pool (a pool per model would oversubscribe the instance's cores).
        Core.Onnx.SharedThreadPool.TryEnable(Environment.ProcessorCount);
        var builder = FunctionsApplication.CreateBuilder(args);
        // Defaults under every other source (app settings such as Logging__LogLevel__Azure.Core=Information still win): ASP.NET
        // Core's request lines, the Azure SDK's request and response dumps and Polly's per-attempt events would otherwise cross
        // gRPC to the host, and go on to Application Insights, for every request and storage call. Warnings still do.
        ((IConfigurationBuilder)builder.Configuration).Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = QuietCategories.Select(c => KeyValuePair.Create<string, string?>($"Logging:LogLevel:{c}", "Warning")),
        });
        // App settings as the host sets them (environment variables, NeuralFP__X), read as configuration keys (NeuralFP:X).
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)));
        builder.ConfigureFunctionsWebApplication();
        builder.UseMiddleware<FunctionTelemetryMiddleware>();
        builder.UseWhen<HttpProblemMiddleware>(HttpProblemMiddleware.Applies);
        builder.UseWhen<FunctionKeyMiddleware>(FunctionKeyMiddleware.Applies);
        builder.Services.AddNeuralFp(builder.Configuration);
        TelemetrySetup.Add(builder);
        configure?.Invoke(builder);
        using var app = builder.Build();
        await app.RunAsync(cancellationToken);
    }
}
