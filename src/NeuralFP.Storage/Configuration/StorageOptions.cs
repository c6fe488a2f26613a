using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace NeuralFP.Storage.Configuration;

/// <summary>Where the service keeps its state and how much it accepts from storage. Validate before use.</summary>
public sealed partial record StorageOptions
{
    public const string PoisonSuffix = "-poison";

    public string ModelsContainer { get; init; } = "models";
    public string FingerprintsContainer { get; init; } = "fingerprints";
    public string ResultsContainer { get; init; } = "results";
    public string RegistryTable { get; init; } = "models";
    public string ScoreRequestsQueue { get; init; } = "score-requests";
    public string ScoreResultsQueue { get; init; } = "score-results";

    /// <summary>Table of each model's rolling window of verdict outcomes (drift alarms).</summary>
    public string DriftTable { get; init; } = "drift";

    /// <summary>Queue the app puts drift alarms on.</summary>
    public string AlertsQueue { get; init; } = "ood-alerts";

    /// <summary>Window and test level of the drift alarms.</summary>
    public DriftAlarmOptions Drift { get; init; } = new();

    /// <summary>Poison queue of <see cref="ScoreRequestsQueue"/>, named as the Functions host names it.</summary>
    public string ScoreRequestsPoisonQueue => ScoreRequestsQueue + PoisonSuffix;

    public long MaxModelBytes { get; init; } = 256L << 20;
    public long MaxReferenceBytes { get; init; } = 1L << 30;
    public long MaxOptionsBytes { get; init; } = 64 << 10;

    /// <summary>Largest .npy blob a queued score request may point at.</summary>
    public long MaxBatchBlobBytes { get; init; } = 256L << 20;

    /// <summary>Largest batch a queued score request may hold.</summary>
    public int MaxRecordsPerBatch { get; init; } = 100_000;

    /// <summary>A build older than this is presumed dead and may be taken over.</summary>
    public TimeSpan FingerprintLease { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How long the scoring path trusts a registry row before reading it again.</summary>
    public TimeSpan RegistryCacheDuration { get; init; } = TimeSpan.FromSeconds(2);

    public StorageResilienceOptions Resilience { get; init; } = new();

    public void Validate()
    {
        ValidateContainer(ModelsContainer, nameof(ModelsContainer));
        ValidateContainer(FingerprintsContainer, nameof(FingerprintsContainer));
        ValidateContainer(ResultsContainer, nameof(ResultsContainer));
        ValidateQueue(ScoreRequestsQueue, nameof(ScoreRequestsQueue));
        ValidateQueue(ScoreResultsQueue, nameof(ScoreResultsQueue));
        ValidateQueue(AlertsQueue, nameof(AlertsQueue));
        ValidateQueue(ScoreRequestsPoisonQueue, nameof(ScoreRequestsQueue) + " (with its poison suffix)");
        if (!TableName().IsMatch(RegistryTable))
            throw new ArgumentException($"Registry table name '{RegistryTable}' is not a valid Azure table name (3–63 letters or digits, starting with a letter).", nameof(RegistryTable));
        if (!TableName().IsMatch(DriftTable))
            throw new ArgumentException($"Drift table name '{DriftTable}' is not a valid Azure table name (3–63 letters or digits, starting with a letter).", nameof(DriftTable));
        if (string.Equals(DriftTable, RegistryTable, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("The registry and drift tables must be two different tables.", nameof(DriftTable));
        if (new[] { ModelsContainer, FingerprintsContainer, ResultsContainer }.Distinct(StringComparer.Ordinal).Count() != 3)
            throw new ArgumentException("The models, fingerprints and results containers must be three different containers.");
        if (new[] { ScoreRequestsQueue, ScoreResultsQueue, ScoreRequestsPoisonQueue, AlertsQueue }.Distinct(StringComparer.Ordinal).Count() != 4)
            throw new ArgumentException("The score-requests, score-results and alerts queues (and the score-requests poison queue) must all differ.");
        Positive(MaxModelBytes, nameof(MaxModelBytes));
        Positive(MaxReferenceBytes, nameof(MaxReferenceBytes));
        Positive(MaxOptionsBytes, nameof(MaxOptionsBytes));
        Positive(MaxBatchBlobBytes, nameof(MaxBatchBlobBytes));
        Positive(MaxRecordsPerBatch, nameof(MaxRecordsPerBatch));
        if (FingerprintLease < TimeSpan.FromSeconds(10)) throw new ArgumentOutOfRangeException(nameof(FingerprintLease), FingerprintLease, "The fingerprint lease must be at least 10 seconds.");
        if (RegistryCacheDuration < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RegistryCacheDuration), RegistryCacheDuration, "The registry cache duration cannot be negative.");
        ArgumentNullException.ThrowIfNull(Resilience);
        Resilience.Validate();
        ArgumentNullException.ThrowIfNull(Drift);
        Drift.Validate();
    }

    /// <summary>Reads the options from settings named in <see cref="SettingNames"/> and validates them.</summary>
    public static StorageOptions FromConfiguration(IConfiguration configuration)
    {
        var defaults = new StorageOptions();
        var resilience = new StorageResilienceOptions();
        var drift = new DriftAlarmOptions();
        var options = new StorageOptions
        {
            ModelsContainer = SettingsReader.GetString(configuration, SettingNames.ModelsContainer, defaults.ModelsContainer),
            FingerprintsContainer = SettingsReader.GetString(configuration, SettingNames.FingerprintsContainer, defaults.FingerprintsContainer),
            ResultsContainer = SettingsReader.GetString(configuration, SettingNames.ResultsContainer, defaults.ResultsContainer),
            RegistryTable = SettingsReader.GetString(configuration, SettingNames.RegistryTable, defaults.RegistryTable),
            ScoreRequestsQueue = SettingsReader.GetString(configuration, SettingNames.ScoreRequestsQueue, defaults.ScoreRequestsQueue),
            ScoreResultsQueue = SettingsReader.GetString(configuration, SettingNames.ScoreResultsQueue, defaults.ScoreResultsQueue),
            DriftTable = SettingsReader.GetString(configuration, SettingNames.DriftTable, defaults.DriftTable),
            AlertsQueue = SettingsReader.GetString(configuration, SettingNames.AlertsQueue, defaults.AlertsQueue),
            MaxModelBytes = SettingsReader.GetInt64(configuration, SettingNames.MaxModelBytes, defaults.MaxModelBytes),
            MaxReferenceBytes = SettingsReader.GetInt64(configuration, SettingNames.MaxReferenceBytes, defaults.MaxReferenceBytes),
            MaxBatchBlobBytes = SettingsReader.GetInt64(configuration, SettingNames.MaxBatchBlobBytes, defaults.MaxBatchBlobBytes),
            MaxRecordsPerBatch = SettingsReader.GetInt32(configuration, SettingNames.MaxRecordsPerBatch, defaults.MaxRecordsPerBatch),
            FingerprintLease = TimeSpan.FromSeconds(SettingsReader.GetInt64(configuration, SettingNames.FingerprintLeaseSeconds, (long)defaults.FingerprintLease.TotalSeconds)),
            RegistryCacheDuration = TimeSpan.FromMilliseconds(SettingsReader.GetInt64(configuration, SettingNames.RegistryCacheMilliseconds, (long)defaults.RegistryCacheDuration.TotalMilliseconds)),
            Resilience = new StorageResilienceOptions
            {
                MaxRetries = SettingsReader.GetInt32(configuration, SettingNames.StorageMaxRetries, resilience.MaxRetries),
                RetryDelay = TimeSpan.FromMilliseconds(SettingsReader.GetInt64(configuration, SettingNames.StorageRetryDelayMilliseconds, (long)resilience.RetryDelay.TotalMilliseconds)),
                AttemptTimeout = TimeSpan.FromSeconds(SettingsReader.GetInt64(configuration, SettingNames.StorageAttemptTimeoutSeconds, (long)resilience.AttemptTimeout.TotalSeconds)),
                BreakDuration = TimeSpan.FromSeconds(SettingsReader.GetInt64(configuration, SettingNames.StorageBreakSeconds, (long)resilience.BreakDuration.TotalSeconds)),
            },
            Drift = new DriftAlarmOptions
            {
                WindowSize = SettingsReader.GetInt32(configuration, SettingNames.DriftWindowSize, drift.WindowSize),
                Alpha = SettingsReader.GetDouble(configuration, SettingNames.DriftAlpha, drift.Alpha),
                MinimumRecords = SettingsReader.GetInt32(configuration, SettingNames.DriftMinimumRecords, Math.Min(drift.MinimumRecords, SettingsReader.GetInt32(configuration, SettingNames.DriftWindowSize, drift.WindowSize))),
                FlushInterval = TimeSpan.FromMilliseconds(SettingsReader.GetInt64(configuration, SettingNames.DriftFlushMilliseconds, (long)drift.FlushInterval.TotalMilliseconds)),
            },
        };
        options.Validate();
        return options;
    }

    private static void ValidateContainer(string name, string setting)
    {
        if (name is null || !ContainerOrQueueName().IsMatch(name) || name.Contains("--", StringComparison.Ordinal))
            throw new ArgumentException($"'{name}' is not a valid blob container name for {setting} (3–63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit).", setting);
    }

    private static void ValidateQueue(string name, string setting)
    {
        if (name is null || !ContainerOrQueueName().IsMatch(name) || name.Contains("--", StringComparison.Ordinal))
            throw new ArgumentException($"'{name}' is not a valid queue name for {setting} (3–63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit).", setting);
    }

    private static void Positive(long value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerOrQueueName();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableName();
}
