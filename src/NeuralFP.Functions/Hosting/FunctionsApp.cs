using NeuralFP.Functions.Configuration;
using NeuralFP.Functions.Endpoints;
using NeuralFP.Functions.Endpoints.Contracts;
using NeuralFP.Functions.Handlers;
using NeuralFP.Functions.Http;
using NeuralFP.Functions.LocalHost;
using NeuralFP.Functions.Monitoring;
using NeuralFP.Functions.Telemetry;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Scoring;
using NeuralFP.Application.Telemetry;
using NeuralFP.Azure;

namespace NeuralFP.Functions.Hosting;

/// <summary>
/// Builds the app: the custom handler's invocation endpoints (<c>POST /{FunctionName}</c>), the HTTP API under
/// <c>/api</c>, and, standalone, the local host that drives the same endpoints from storage.
/// </summary>
public static class FunctionsApp
{
    public const string StandaloneSwitch = "--standalone";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var standaloneSwitch = args.Contains(StandaloneSwitch, StringComparer.OrdinalIgnoreCase);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args.Where(a => !string.Equals(a, StandaloneSwitch, StringComparison.OrdinalIgnoreCase)).ToArray(),
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Under the Functions host the handler must listen where the host says, on loopback only.
        var port = SettingsReader.GetString(builder.Configuration, SettingNames.CustomHandlerPort);
        if (port is not null)
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)));
        // Invocation payloads carry whole blobs (base64); our own limits guard the public endpoints.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 2L << 30);

        configure?.Invoke(builder);

        var mode = new AppMode(standaloneSwitch || SettingsReader.GetBoolean(builder.Configuration, SettingNames.Standalone, false));
        AddServices(builder.Services, builder.Configuration, mode);
        OpenTelemetrySetup.Add(builder.Services, builder.Configuration, builder.Environment, mode);

        var app = builder.Build();
        // Options are validated when the app starts (ValidateOnStart); the clients are made now so a bad account fails here too.
        _ = app.Services.GetRequiredService<Azure.Configuration.StorageClients>();
        MapEndpoints(app);
        return app;
    }

    internal static void AddServices(IServiceCollection services, IConfiguration configuration, AppMode mode)
    {
        services.AddSingleton(mode);
        services.AddSingleton(TimeProvider.System);
        services.AddAppOptions(configuration);
        services.AddStorageAdapters();
        services.AddSingleton<ScorerCache>();
        services.AddSingleton<ServiceTelemetry>();
        services.AddSingleton(sp => new DriftAlarmPublisher(
            sp.GetRequiredService<Application.Ports.IDriftAlertSender>(), sp.GetRequiredService<Application.Ports.IModelRegistry>(),
            sp.GetRequiredService<Application.Ports.IDriftStore>(), sp.GetRequiredService<ILogger<DriftAlarmPublisher>>()));
        services.AddSingleton(sp => new DriftTracker(
            sp.GetRequiredService<Application.Ports.IDriftStore>(), sp.GetRequiredService<DriftAlarmPublisher>(), sp.GetRequiredService<Application.Configuration.ServiceOptions>().Drift,
            sp.GetRequiredService<ServiceTelemetry>(), sp.GetRequiredService<ILogger<DriftTracker>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new DriftRecorder(sp.GetRequiredService<DriftTracker>(), sp.GetRequiredService<ILogger<DriftRecorder>>()));
        services.AddSingleton<DriftReader>();
        services.AddHostedService<DriftFlushService>();
        services.AddHostedService<QueueMetricsService>();
        services.AddSingleton<FingerprintJob>();
        services.AddSingleton<FingerprintSweep>();
        services.AddHostedService<FingerprintSweepService>();
        services.AddSingleton<ScoreBatchJob>();
        services.AddSingleton<StorageInitializer>();
        services.AddSingleton<FunctionKeyFilter>();
        services.AddSingleton<ProblemFilter>();
        services.AddProblemDetails();
        services.AddOpenApi("v1", options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "NeuralFP";
            document.Info.Description = "Fingerprint-as-a-service for neural networks: per-record out-of-distribution verdicts and model match.";
            return Task.CompletedTask;
        }));
        services.AddHostedService<StartupService>();
        if (mode.Standalone)
        {
            services.AddSingleton(sp => FunctionCatalog.Load(LocalHostSettings.ScriptRoot(configuration)));
            services.AddSingleton(_ => LocalHostSettings.FromConfiguration(configuration));
            services.AddHttpClient(LocalFunctionsHost.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
            services.AddHostedService<LocalFunctionsHost>();
        }
    }

    private static void MapEndpoints(WebApplication app)
    {
        // Responses the framework ends without a body (415 from content-type matching, 404/405 from routing) get problem+json too.
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var problem = http.Response.StatusCode == StatusCodes.Status415UnsupportedMediaType
                ? ProblemMapper.ToProblem(new UnsupportedContentTypeException(http.Request.ContentType))
                : Results.Problem(statusCode: http.Response.StatusCode, detail: http.Response.StatusCode switch
                {
                    StatusCodes.Status404NotFound => $"No endpoint at {http.Request.Path}; GET /api/openapi.json lists them.",
                    StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {http.Request.Path}; GET /api/openapi.json lists the methods.",
                    _ => null,
                });
            await problem.ExecuteAsync(http).ConfigureAwait(false);
        });

        // Invocations from the Functions host (or the local host): not part of the public API.
        app.MapPost("/" + FunctionNames.FingerprintModel, FingerprintModelHandler.HandleAsync).AsFunction(FunctionNames.FingerprintModel, FunctionTelemetryFilter.BlobTrigger).ExcludeFromDescription();
        app.MapPost("/" + FunctionNames.ScoreBatch, ScoreBatchHandler.HandleAsync).AsFunction(FunctionNames.ScoreBatch, FunctionTelemetryFilter.QueueTrigger).ExcludeFromDescription();
        app.MapPost("/" + FunctionNames.PublishAlerts, PublishAlertsHandler.HandleAsync).AsFunction(FunctionNames.PublishAlerts, FunctionTelemetryFilter.QueueTrigger).ExcludeFromDescription();

        var api = app.MapGroup("/api").AddEndpointFilter<ProblemFilter>();
        api.MapPost("/models/{modelId}/verdicts", VerdictsEndpoint.HandleAsync)
            .AsFunction(FunctionNames.Verdicts, FunctionTelemetryFilter.HttpTrigger)
            .WithName(FunctionNames.Verdicts)
            .WithSummary("Per-record out-of-distribution verdicts from the model's current fingerprint, or with ?detector=name from a detector fitted beside it.")
            .AcceptsRecords()
            .Produces<VerdictsResponse>()
            .AddOpenApiOperationTransformer(OpenApiDocumentation.VerdictsResponses)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        api.MapPost("/match", MatchEndpoint.HandleAsync)
            .AsFunction(FunctionNames.Match, FunctionTelemetryFilter.HttpTrigger)
            .WithName(FunctionNames.Match)
            .WithSummary("Ranks every ready model whose input shape the records fit by how well the batch matches its training distribution.")
            .AcceptsRecords()
            .Produces<MatchResponse>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status409Conflict);
        api.MapGet("/models", ModelsEndpoints.ListAsync)
            .AsFunction(FunctionNames.Models, FunctionTelemetryFilter.HttpTrigger)
            .WithName(FunctionNames.Models)
            .WithSummary("Every model with its status, current version, layers, calibration and timestamps.")
            .Produces<ModelList>()
            .ProducesProblems(StatusCodes.Status401Unauthorized);
        api.MapGet("/models/{modelId}", ModelsEndpoints.GetAsync)
            .AsFunction(FunctionNames.Models, FunctionTelemetryFilter.HttpTrigger)
            .WithName("Model")
            .WithSummary("One model's status, current version, layers, calibration and timestamps.")
            .Produces<ModelView>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound);
        api.MapGet("/models/{modelId}/drift", DriftEndpoint.HandleAsync)
            .AsFunction(FunctionNames.Drift, FunctionTelemetryFilter.HttpTrigger)
            .WithName(FunctionNames.Drift)
            .WithSummary("The drift test of the model's current fingerprint: its rolling window of verdicts, OOD rate, one-sided binomial p-value against the calibrated FPR, and alarm.")
            .Produces<DriftView>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        api.MapGet("/models/{modelId}/report", ReportEndpoint.GetAsync)
            .AsFunction(FunctionNames.Report, FunctionTelemetryFilter.HttpTrigger)
            .WithName(FunctionNames.Report)
            .WithSummary("The fingerprint report: per-layer histograms of held-out reconstruction errors with τ and μ, calibration figures and the recent OOD rate, as one self-contained HTML page.")
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        api.MapPost("/models/{modelId}/report", ReportEndpoint.PostAsync)
            .AsFunction(FunctionNames.Report, FunctionTelemetryFilter.HttpTrigger)
            .WithName(FunctionNames.Report + "WithBatch")
            .WithSummary("The fingerprint report with the posted records marked on each layer's histogram (same body formats as verdicts).")
            .AcceptsRecords()
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        api.MapGet("/health", HealthEndpoint.HandleAsync)
            .WithName(FunctionNames.Health)
            .WithSummary("200 when storage answers, 503 otherwise.")
            .Produces<HealthReport>()
            .Produces<HealthReport>(StatusCodes.Status503ServiceUnavailable);
        app.MapOpenApi("/api/openapi.json");
    }
}
