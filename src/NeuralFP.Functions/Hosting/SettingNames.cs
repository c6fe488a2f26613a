using NeuralFP.Application.Configuration;
using NeuralFP.Application.Drift;

namespace NeuralFP.Functions.Hosting;

/// <summary>
/// Every app setting name the app reads, in one place: the host binds them (<see cref="Configuration.AppOptions"/>)
/// and the Bicep templates set them (tests assert the two agree). The service's own knobs are named next to the
/// options they fill (<see cref="ServiceOptions"/>, <see cref="DriftAlarmOptions"/>) and listed here too.
/// </summary>
public static class SettingNames
{
    /// <summary>Connection string (local: <c>UseDevelopmentStorage=true</c>) or, in Azure, the
    /// identity-based prefix <c>AzureWebJobsStorage__blobServiceUri</c> / <c>__queueServiceUri</c> /
    /// <c>__tableServiceUri</c> with <c>__credential=managedidentity</c> and <c>__clientId</c>.</summary>
    public const string Storage = "AzureWebJobsStorage";
    public const string StorageBlobServiceUri = "AzureWebJobsStorage__blobServiceUri";
    public const string StorageQueueServiceUri = "AzureWebJobsStorage__queueServiceUri";
    public const string StorageTableServiceUri = "AzureWebJobsStorage__tableServiceUri";
    public const string StorageCredential = "AzureWebJobsStorage__credential";
    public const string StorageClientId = "AzureWebJobsStorage__clientId";

    public const string ServiceBusNamespace = "ServiceBusConnection__fullyQualifiedNamespace";
    public const string ServiceBusClientId = "ServiceBusConnection__clientId";
    public const string ServiceBusCredential = "ServiceBusConnection__credential";

    public const string WorkerRuntime = "FUNCTIONS_WORKER_RUNTIME";
    public const string ApplicationInsights = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";
    /// <summary>true: produce OpenTelemetry signals even with no exporter configured (tests attach in-memory exporters); default false.</summary>
    public const string TelemetryWithoutExporter = "NeuralFP__TelemetryWithoutExporter";


    /// <summary>Section of the service's own options (<c>NeuralFP__ModelsContainer</c> etc. as environment variables).</summary>
    public const string Section = ServiceOptions.Section;
    public const string ModelsContainer = "NeuralFP__ModelsContainer";
    public const string FingerprintsContainer = "NeuralFP__FingerprintsContainer";
    public const string ResultsContainer = "NeuralFP__ResultsContainer";
    public const string RegistryTable = "NeuralFP__RegistryTable";
    public const string DriftTable = "NeuralFP__DriftTable";
    public const string ScoreRequestsQueue = "NeuralFP__ScoreRequestsQueue";
    public const string ScoreResultsQueue = "NeuralFP__ScoreResultsQueue";
    /// <summary>Storage queue the app puts drift alarms on.</summary>
    public const string AlertsQueue = "NeuralFP__AlertsQueue";
    /// <summary>Service Bus topic drift alarms are sent to (with <see cref="ServiceBusNamespace"/>); unset, they go to <see cref="AlertsQueue"/>.</summary>
    public const string AlertsTopic = "NeuralFP__AlertsTopic";
    /// <summary>Optional Service Bus topic every scored batch's summary is also published to.</summary>
    public const string SummariesTopic = "NeuralFP__SummariesTopic";
    /// <summary>Verdicts in each model's rolling drift window.</summary>
    public const string DriftWindowSize = DriftAlarmOptions.WindowSizeSetting;
    /// <summary>Significance level of the drift test (one-sided binomial test against the calibrated FPR).</summary>
    public const string DriftAlpha = DriftAlarmOptions.AlphaSetting;
    /// <summary>Fewest verdicts in the window before a drift alarm may be raised.</summary>
    public const string DriftMinimumRecords = DriftAlarmOptions.MinimumRecordsSetting;
    /// <summary>How often HTTP verdicts' drift outcomes are written (one conditional write per model version); 0 = during each request.</summary>
    public const string DriftFlushMilliseconds = DriftAlarmOptions.FlushIntervalSetting;
    /// <summary>Longest wait for the last drift flush when the instance stops (scale-in, deployment).</summary>
    public const string DriftShutdownFlushMilliseconds = DriftAlarmOptions.ShutdownFlushSetting;
    public const string MaxRequestBytes = "NeuralFP__MaxRequestBytes";
    public const string MaxRecordsPerRequest = "NeuralFP__MaxRecordsPerRequest";
    public const string FunctionKey = "NeuralFP__FunctionKey";

    /// <summary>Largest number of values in one record (product of the record's dimensions).</summary>
    public const string MaxRecordValues = "NeuralFP__MaxRecordValues";
    /// <summary>Largest batch a queued score request may hold (records).</summary>
    public const string MaxRecordsPerBatch = ServiceOptions.MaxRecordsPerBatchSetting;
    /// <summary>Largest .npy blob a queued score request may point at.</summary>
    public const string MaxBatchBlobBytes = ServiceOptions.MaxBatchBlobBytesSetting;
    public const string MaxModelBytes = ServiceOptions.MaxModelBytesSetting;
    public const string MaxReferenceBytes = ServiceOptions.MaxReferenceBytesSetting;
    /// <summary>How long a fingerprint build may hold its claim before another invocation may take it over.</summary>
    public const string FingerprintLeaseSeconds = ServiceOptions.FingerprintLeaseSetting;
    /// <summary>Build only uploads committed by a manifest.json.</summary>
    public const string RequireManifest = ServiceOptions.RequireManifestSetting;
    /// <summary>Estimated bytes of loaded scorers kept (LRU beyond it).</summary>
    public const string ScorerCacheBytes = ServiceOptions.ScorerCacheBytesSetting;
    /// <summary>Largest batch scored on the single-threaded inline session (0 = every batch on the shared pool).</summary>
    public const string InlineBatchRecords = ServiceOptions.InlineBatchRecordsSetting;
    /// <summary>Cut-off builds of the same content before the model is marked failed for good.</summary>
    public const string MaxBuildAttempts = "NeuralFP__MaxBuildAttempts";
    /// <summary>NCRONTAB schedule of the <c>SweepFingerprints</c> timer, which looks for stalled builds and transient
    /// failures (the timer attribute names it, so it must be set; <c>*/30 * * * * *</c> in the templates).</summary>
    public const string SweepSchedule = "NeuralFP__SweepSchedule";
    /// <summary>Models whose scorers an instance loads when it starts (comma-separated ids, or <c>*</c> for every ready model
    /// while the scorer cache has room); none by default.</summary>
    public const string PreloadModels = ServiceOptions.PreloadModelsSetting;
    /// <summary>How long registry rows are cached by the scoring path (0 = read on every request).</summary>
    public const string RegistryCacheMilliseconds = ServiceOptions.RegistryCacheSetting;

    public const string StorageMaxRetries = "NeuralFP__Storage__MaxRetries";
    public const string StorageRetryDelayMilliseconds = "NeuralFP__Storage__RetryDelayMilliseconds";
    public const string StorageAttemptTimeoutSeconds = "NeuralFP__Storage__AttemptTimeoutSeconds";
    /// <summary>Per-attempt timeout of whole-file transfers (models, reference sets, batch blobs).</summary>
    public const string StorageTransferTimeoutSeconds = "NeuralFP__Storage__TransferTimeoutSeconds";
    public const string StorageBreakSeconds = "NeuralFP__Storage__BreakSeconds";

}
