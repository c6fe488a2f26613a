using NeuralFP.Application.Drift;
using NeuralFP.Application.Edge;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Scoring;
using NeuralFP.Application.Telemetry;
using NeuralFP.Azure;
using NeuralFP.Functions.Configuration;
using NeuralFP.Functions.Monitoring;
using NeuralFP.Functions.OpenApi;

namespace NeuralFP.Functions.Hosting;

/// <summary>The app's services: validated options, the Azure adapters behind the ports, and the application's use cases.</summary>
public static class ServiceRegistration
{
    public static IServiceCollection AddNeuralFp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        NeuralFP.Hosting.LargeBlockMemoryPoolRegistration.AddLargeBlockMemoryPool(services);
        services.AddAppOptions(configuration);
        services.AddStorageAdapters();
        services.AddSingleton<ServiceTelemetry>();
        services.AddSingleton<ScorerCache>();
        services.AddSingleton<ScorerPreload>();
        services.AddSingleton(sp => sp.GetRequiredService<Application.Configuration.ServiceOptions>().Drift);
        services.AddSingleton<DriftAlarmPublisher>();
        services.AddSingleton<DriftTracker>();
        services.AddSingleton<DriftRecorder>();
        services.AddSingleton<DriftReader>();
        services.AddSingleton<StorageProbe>();
        services.AddSingleton<FingerprintJob>();
        services.AddSingleton<FingerprintSweep>();
        services.AddSingleton<ScoreBatchJob>();
        services.AddSingleton<FingerprintDownloads>();
        services.AddSingleton<QueueDepthReader>();
        services.AddSingleton<ApiDocument>();
        services.AddHostedService<StorageInitializer>();
        services.AddHostedService<DriftFlushService>();
        services.AddHostedService<ScorerPreloadService>();
        return services;
    }
}
