using System.Reflection;
using Azure.Monitor.OpenTelemetry.Exporter;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Configuration;
using NeuralFP.Application.Telemetry;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using NeuralFP.Functions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace NeuralFP.Functions.Telemetry;

/// <summary>
/// OpenTelemetry for the worker: traces (the service's function spans, the worker's own, ASP.NET Core, HTTP client), metrics (the
/// service's meter, ASP.NET Core, HTTP client, .NET runtime) and logs with their scopes. Exporters follow the
/// settings: OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, Azure Monitor when
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set, the console in Development. With none of them no pipeline is
/// built, so nothing listens and no span, measurement or log record is made for nobody (a request's spans, tags and
/// histogram points cost CPU on every request); <c>NeuralFP__TelemetryWithoutExporter=true</c> builds it anyway (tests
/// attach in-memory exporters).
/// </summary>
internal static class TelemetrySetup
{
    public const string ServiceName = "NeuralFP.Functions";

    public static void Add(FunctionsApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var otlp = SettingsReader.GetString(configuration, SettingNames.OtlpEndpoint) is not null;
        var azureMonitor = SettingsReader.GetString(configuration, SettingNames.ApplicationInsights);
        var console = builder.Environment.IsDevelopment();
        var withoutExporter = SettingsReader.GetBoolean(configuration, SettingNames.TelemetryWithoutExporter, fallback: false);
        if (!otlp && azureMonitor is null && !console && !withoutExporter) return;
        var version = typeof(TelemetrySetup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

        var telemetry = builder.Services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .ConfigureResource(resource => resource
                .AddService(ServiceName, serviceVersion: version)
                .AddAttributes([new KeyValuePair<string, object>("neuralfp.mode", Functions.HealthFunction.Mode)]))
            .WithTracing(tracing =>
            {
                tracing.AddSource(ServiceTelemetry.Name)
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsHealthProbe(context))
                    .AddHttpClientInstrumentation();
                if (azureMonitor is not null) tracing.AddAzureMonitorTraceExporter(options => options.ConnectionString = azureMonitor);
                if (console) tracing.AddConsoleExporter();
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ServiceTelemetry.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (azureMonitor is not null) metrics.AddAzureMonitorMetricExporter(options => options.ConnectionString = azureMonitor);
                if (console) metrics.AddConsoleExporter();
            })
            .WithLogging(
                logging =>
                {
                    if (azureMonitor is not null) logging.AddAzureMonitorLogExporter(options => options.ConnectionString = azureMonitor);
                },
                options =>
                {
                    // Scopes carry the invocation id, model id and version, and batch id (see FunctionTelemetryMiddleware).
                    options.IncludeScopes = true;
                    options.IncludeFormattedMessage = true;
                });
        if (otlp) telemetry.UseOtlpExporter();
    }

    // Platform health probes every few seconds would drown the traces that matter.
    private static bool IsHealthProbe(HttpContext context) => context.Request.Path.StartsWithSegments("/api/health", StringComparison.OrdinalIgnoreCase);
}
