using System.Reflection;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Infra.Tests.Support;

/// <summary>
/// Which of the app's setting names (<see cref="SettingNames"/>) the templates must set in Azure,
/// and why the others are left out. A new constant in SettingNames fails the tests until it is
/// placed in one of the two lists here.
/// </summary>
public static class AzureSettings
{
    /// <summary>Settings the deployed app cannot run without: identity-based connections and the storage layout.</summary>
    public static readonly IReadOnlySet<string> Required = new HashSet<string>
    {
        SettingNames.StorageBlobServiceUri,
        SettingNames.StorageQueueServiceUri,
        SettingNames.StorageTableServiceUri,
        SettingNames.StorageCredential,
        SettingNames.StorageClientId,
        SettingNames.ServiceBusNamespace,
        SettingNames.ServiceBusCredential,
        SettingNames.ServiceBusClientId,
        SettingNames.ApplicationInsights,
        SettingNames.ModelsContainer,
        SettingNames.FingerprintsContainer,
        SettingNames.ResultsContainer,
        SettingNames.RegistryTable,
        SettingNames.DriftTable,
        SettingNames.ScoreRequestsQueue,
        SettingNames.ScoreResultsQueue,
        SettingNames.AlertsQueue,
        SettingNames.AlertsTopic,
        SettingNames.DriftWindowSize,
        SettingNames.DriftAlpha,
        SettingNames.MaxRequestBytes,
        SettingNames.MaxRecordsPerRequest,
        SettingNames.SweepSchedule,
        SettingNames.PreloadModels, // from the preloadModels parameter; empty (none) by default
    };

    /// <summary>Names the app knows that the templates deliberately leave unset, with the reason.</summary>
    public static readonly IReadOnlyDictionary<string, string> NotSetInAzure = new Dictionary<string, string>
    {
        [SettingNames.Section] = "the options section prefix, not a setting",
        [SettingNames.Storage] = "a connection string; Azure uses the identity-based AzureWebJobsStorage__* settings",
        [SettingNames.WorkerRuntime] = "Flex Consumption takes the runtime from functionAppConfig.runtime and rejects this setting",
        [SettingNames.OtlpEndpoint] = "optional; in Azure telemetry goes to Application Insights",
        [SettingNames.SummariesTopic] = "optional: batch summaries also go to a Service Bus topic when a deployment adds one",
        [SettingNames.FunctionKey] = "the local host's key; in Azure the host checks function keys",
        // Names the storage branch adds: host-set, local-host-only, or tuning knobs with in-app defaults.
        ["NeuralFP__MaxRecordValues"] = "tuning with an in-app default",
        ["NeuralFP__MaxRecordsPerBatch"] = "tuning with an in-app default",
        ["NeuralFP__MaxModelBytes"] = "tuning with an in-app default",
        ["NeuralFP__MaxReferenceBytes"] = "tuning with an in-app default",
        ["NeuralFP__MaxBatchBlobBytes"] = "tuning with an in-app default",
        ["NeuralFP__FingerprintLeaseSeconds"] = "tuning with an in-app default",
        [SettingNames.MaxBuildAttempts] = "tuning with an in-app default",
        [SettingNames.ScorerCacheBytes] = "tuning with an in-app default",
        [SettingNames.InlineBatchRecords] = "tuning with an in-app default (0 turns the inline small-batch session off)",
        [SettingNames.RequireManifest] = "upload protocol switch with an in-app default (off)",
        ["NeuralFP__Limits__MaxFeaturesPerLayer"] = "build limit with an in-app default",
        ["NeuralFP__Limits__MaxAutoencoderParameters"] = "build limit with an in-app default",
        ["NeuralFP__Limits__MaxScorerBytes"] = "build limit with an in-app default",
        ["NeuralFP__Limits__MaxBuildMemoryBytes"] = "build limit with an in-app default",
        ["NeuralFP__RegistryCacheMilliseconds"] = "tuning with an in-app default",
        ["NeuralFP__Storage__MaxRetries"] = "tuning with an in-app default",
        ["NeuralFP__Storage__RetryDelayMilliseconds"] = "tuning with an in-app default",
        ["NeuralFP__Storage__AttemptTimeoutSeconds"] = "tuning with an in-app default",
        ["NeuralFP__Storage__BreakSeconds"] = "tuning with an in-app default",
        [SettingNames.StorageTransferTimeoutSeconds] = "tuning with an in-app default (per-attempt timeout of whole-file transfers)",
        ["NeuralFP__ScorerThreads"] = "tuning with an in-app default (ONNX Runtime intra-op threads per scorer)",
        [SettingNames.DriftMinimumRecords] = "tuning with an in-app default",
        [SettingNames.DriftFlushMilliseconds] = "tuning with an in-app default (1 s write-behind interval)",
        [SettingNames.DriftShutdownFlushMilliseconds] = "tuning with an in-app default (5 s bound on the last flush when an instance stops)",
        [SettingNames.TelemetryWithoutExporter] = "tests only: builds the telemetry pipeline with no exporter (Azure has Application Insights)",
    };

    /// <summary>Every <c>public const string</c> of <see cref="SettingNames"/>.</summary>
    public static IReadOnlyList<string> AllKnownNames() =>
        typeof(SettingNames)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true, IsInitOnly: false } && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
}
