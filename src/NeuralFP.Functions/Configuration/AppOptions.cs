using Microsoft.Extensions.Options;
using NeuralFP.Application.Configuration;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.Configuration;

/// <summary>
/// Binds every options type from the app settings (named in <see cref="SettingNames"/>) and validates each when the
/// app starts (<c>ValidateOnStart</c>), so a bad setting stops the app with the setting's name rather than failing
/// the first request. Each type is also registered as itself for the classes that take its values directly.
/// </summary>
public static class AppOptions
{
    public static IServiceCollection AddAppOptions(this IServiceCollection services, IConfiguration configuration)
    {
        Add<StorageAccount>(services, configuration, ReadAccount, ValidateAccount);
        Add<StorageOptions>(services, configuration, ReadStorage, o => o.Validate());
        Add<StorageResilienceOptions>(services, configuration, ReadResilience, o => o.Validate());
        Add<ServiceBusTopics>(services, configuration, ReadServiceBus, o => o.Validate(SettingNames.ServiceBusNamespace));
        Add<ServiceOptions>(services, configuration, ReadService, o => o.Validate());
        Add<ApiOptions>(services, configuration, ReadApi, o => o.Validate());
        return services;
    }

    private static void Add<T>(IServiceCollection services, IConfiguration configuration, Action<T, IConfiguration> read, Action<T> validate) where T : class
    {
        services.AddOptions<T>().Configure(options => read(options, configuration)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new ThrowingValidation<T>(validate));
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<T>>().Value);
    }

    internal static void ReadAccount(StorageAccount account, IConfiguration configuration)
    {
        account.ConnectionString = SettingsReader.GetString(configuration, SettingNames.Storage);
        account.BlobServiceUri = ReadUri(configuration, SettingNames.StorageBlobServiceUri);
        account.QueueServiceUri = ReadUri(configuration, SettingNames.StorageQueueServiceUri);
        account.TableServiceUri = ReadUri(configuration, SettingNames.StorageTableServiceUri);
        account.UseManagedIdentity = string.Equals(SettingsReader.GetString(configuration, SettingNames.StorageCredential), "managedidentity", StringComparison.OrdinalIgnoreCase);
        account.ManagedIdentityClientId = SettingsReader.GetString(configuration, SettingNames.StorageClientId);
    }

    private static void ValidateAccount(StorageAccount account)
    {
        if (!account.IsConfigured)
            throw new InvalidOperationException(
                $"Storage is not configured: set {SettingNames.Storage} to a connection string (locally UseDevelopmentStorage=true), " +
                $"or set {SettingNames.StorageBlobServiceUri}, {SettingNames.StorageQueueServiceUri} and {SettingNames.StorageTableServiceUri} for identity-based access.");
    }

    internal static void ReadServiceBus(ServiceBusTopics topics, IConfiguration configuration)
    {
        topics.FullyQualifiedNamespace = SettingsReader.GetString(configuration, SettingNames.ServiceBusNamespace);
        topics.UseManagedIdentity = string.Equals(SettingsReader.GetString(configuration, SettingNames.ServiceBusCredential), "managedidentity", StringComparison.OrdinalIgnoreCase);
        topics.ManagedIdentityClientId = SettingsReader.GetString(configuration, SettingNames.ServiceBusClientId);
        topics.AlertsTopic = SettingsReader.GetString(configuration, SettingNames.AlertsTopic);
        topics.SummariesTopic = SettingsReader.GetString(configuration, SettingNames.SummariesTopic);
    }

    internal static void ReadStorage(StorageOptions options, IConfiguration configuration)
    {
        options.ModelsContainer = SettingsReader.GetString(configuration, SettingNames.ModelsContainer, options.ModelsContainer);
        options.FingerprintsContainer = SettingsReader.GetString(configuration, SettingNames.FingerprintsContainer, options.FingerprintsContainer);
        options.ResultsContainer = SettingsReader.GetString(configuration, SettingNames.ResultsContainer, options.ResultsContainer);
        options.RegistryTable = SettingsReader.GetString(configuration, SettingNames.RegistryTable, options.RegistryTable);
        options.ScoreRequestsQueue = SettingsReader.GetString(configuration, SettingNames.ScoreRequestsQueue, options.ScoreRequestsQueue);
        options.ScoreResultsQueue = SettingsReader.GetString(configuration, SettingNames.ScoreResultsQueue, options.ScoreResultsQueue);
        options.DriftTable = SettingsReader.GetString(configuration, SettingNames.DriftTable, options.DriftTable);
        options.AlertsQueue = SettingsReader.GetString(configuration, SettingNames.AlertsQueue, options.AlertsQueue);
    }

    internal static void ReadResilience(StorageResilienceOptions options, IConfiguration configuration)
    {
        options.MaxRetries = SettingsReader.GetInt32(configuration, SettingNames.StorageMaxRetries, options.MaxRetries);
        options.RetryDelay = TimeSpan.FromMilliseconds(SettingsReader.GetInt64(configuration, SettingNames.StorageRetryDelayMilliseconds, (long)options.RetryDelay.TotalMilliseconds));
        options.AttemptTimeout = TimeSpan.FromSeconds(SettingsReader.GetInt64(configuration, SettingNames.StorageAttemptTimeoutSeconds, (long)options.AttemptTimeout.TotalSeconds));
        options.TransferTimeout = TimeSpan.FromSeconds(SettingsReader.GetInt64(configuration, SettingNames.StorageTransferTimeoutSeconds, (long)options.TransferTimeout.TotalSeconds));
        options.BreakDuration = TimeSpan.FromSeconds(SettingsReader.GetInt64(configuration, SettingNames.StorageBreakSeconds, (long)options.BreakDuration.TotalSeconds));
    }

    internal static void ReadService(ServiceOptions options, IConfiguration configuration)
    {
        options.MaxModelBytes = SettingsReader.GetInt64(configuration, SettingNames.MaxModelBytes, options.MaxModelBytes);
        options.MaxReferenceBytes = SettingsReader.GetInt64(configuration, SettingNames.MaxReferenceBytes, options.MaxReferenceBytes);
        options.MaxBatchBlobBytes = SettingsReader.GetInt64(configuration, SettingNames.MaxBatchBlobBytes, options.MaxBatchBlobBytes);
        options.MaxRecordsPerBatch = SettingsReader.GetInt32(configuration, SettingNames.MaxRecordsPerBatch, options.MaxRecordsPerBatch);
        options.FingerprintLease = TimeSpan.FromSeconds(SettingsReader.GetInt64(configuration, SettingNames.FingerprintLeaseSeconds, (long)options.FingerprintLease.TotalSeconds));
        options.RegistryCacheDuration = TimeSpan.FromMilliseconds(SettingsReader.GetInt64(configuration, SettingNames.RegistryCacheMilliseconds, (long)options.RegistryCacheDuration.TotalMilliseconds));
        options.RequireManifest = SettingsReader.GetString(configuration, SettingNames.RequireManifest) is { } require && bool.Parse(require);
        options.ScorerCacheBytes = SettingsReader.GetInt64(configuration, SettingNames.ScorerCacheBytes, options.ScorerCacheBytes);
        options.InlineBatchRecords = SettingsReader.GetInt32(configuration, SettingNames.InlineBatchRecords, options.InlineBatchRecords);
        if (SettingsReader.GetString(configuration, SettingNames.PreloadModels) is { } preload)
            options.PreloadModels = preload.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        options.MaxBuildAttempts = SettingsReader.GetInt32(configuration, SettingNames.MaxBuildAttempts, options.MaxBuildAttempts);
        var limits = options.Limits;
        options.Limits = new Core.Fingerprints.BuildLimits
        {
            MaxFeaturesPerLayer = SettingsReader.GetInt64(configuration, Core.Fingerprints.BuildLimits.SettingFor(nameof(limits.MaxFeaturesPerLayer)), limits.MaxFeaturesPerLayer),
            MaxAutoencoderParameters = SettingsReader.GetInt64(configuration, Core.Fingerprints.BuildLimits.SettingFor(nameof(limits.MaxAutoencoderParameters)), limits.MaxAutoencoderParameters),
            MaxScorerBytes = SettingsReader.GetInt64(configuration, Core.Fingerprints.BuildLimits.SettingFor(nameof(limits.MaxScorerBytes)), limits.MaxScorerBytes),
            MaxBuildMemoryBytes = SettingsReader.GetInt64(configuration, Core.Fingerprints.BuildLimits.SettingFor(nameof(limits.MaxBuildMemoryBytes)), limits.MaxBuildMemoryBytes),
        };
        var drift = options.Drift;
        drift.WindowSize = SettingsReader.GetInt32(configuration, SettingNames.DriftWindowSize, drift.WindowSize);
        drift.Alpha = SettingsReader.GetDouble(configuration, SettingNames.DriftAlpha, drift.Alpha);
        // A small window lowers the default minimum to fit it.
        drift.MinimumRecords = SettingsReader.GetInt32(configuration, SettingNames.DriftMinimumRecords, Math.Min(drift.MinimumRecords, drift.WindowSize));
        // HTTP verdicts' outcomes are written behind the requests (DriftFlushService), flushed when the instance stops.
        drift.FlushInterval = TimeSpan.FromMilliseconds(SettingsReader.GetInt64(configuration, SettingNames.DriftFlushMilliseconds, (long)drift.FlushInterval.TotalMilliseconds));
        drift.ShutdownFlushTimeout = TimeSpan.FromMilliseconds(SettingsReader.GetInt64(configuration, SettingNames.DriftShutdownFlushMilliseconds, (long)drift.ShutdownFlushTimeout.TotalMilliseconds));
    }

    internal static void ReadApi(ApiOptions options, IConfiguration configuration)
    {
        options.MaxRequestBytes = SettingsReader.GetInt64(configuration, SettingNames.MaxRequestBytes, options.MaxRequestBytes);
        options.MaxRecordsPerRequest = SettingsReader.GetInt32(configuration, SettingNames.MaxRecordsPerRequest, options.MaxRecordsPerRequest);
        options.MaxRecordValues = SettingsReader.GetInt32(configuration, SettingNames.MaxRecordValues, options.MaxRecordValues);
        options.FunctionKey = SettingsReader.GetString(configuration, SettingNames.FunctionKey);
    }

    private static Uri? ReadUri(IConfiguration configuration, string setting)
    {
        var value = SettingsReader.GetString(configuration, setting);
        if (value is null) return null;
        return Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri : throw new InvalidOperationException($"Setting {setting} must be an absolute URI; got '{value}'.");
    }

    /// <summary>Runs an options type's own <c>Validate()</c>; its exception message (which names the setting) becomes the failure.</summary>
    private sealed class ThrowingValidation<T>(Action<T> validate) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            try
            {
                validate(options);
                return ValidateOptionsResult.Success;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }
}
