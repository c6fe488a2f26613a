namespace NeuralFP.Storage.Configuration;

/// <summary>
/// App setting names the app reads, in one place: the options classes bind them and the Bicep
/// templates set them (tests assert the two agree).
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
    public const string CustomHandlerPort = "FUNCTIONS_CUSTOMHANDLER_PORT";
    public const string ApplicationInsights = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Section of the service's own options (<c>NeuralFP__ModelsContainer</c> etc. as environment variables).</summary>
    public const string Section = "NeuralFP";
    public const string ModelsContainer = "NeuralFP__ModelsContainer";
    public const string FingerprintsContainer = "NeuralFP__FingerprintsContainer";
    public const string ResultsContainer = "NeuralFP__ResultsContainer";
    public const string RegistryTable = "NeuralFP__RegistryTable";
    public const string DriftTable = "NeuralFP__DriftTable";
    public const string ScoreRequestsQueue = "NeuralFP__ScoreRequestsQueue";
    public const string ScoreResultsQueue = "NeuralFP__ScoreResultsQueue";
    public const string AlertsQueue = "NeuralFP__AlertsQueue";
    public const string MaxRequestBytes = "NeuralFP__MaxRequestBytes";
    public const string MaxRecordsPerRequest = "NeuralFP__MaxRecordsPerRequest";
    public const string FunctionKey = "NeuralFP__FunctionKey";
}
