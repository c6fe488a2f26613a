using NeuralFP.Application.Drift;
using NeuralFP.Application.Registry;
using NeuralFP.Core.Fingerprints;

namespace NeuralFP.Application.Configuration;

/// <summary>
/// What the use cases accept and how long they trust what they read. Bound from the <see cref="Section"/> section
/// (environment variables <c>NeuralFP__MaxModelBytes</c> …) and validated at start-up.
/// </summary>
public sealed record ServiceOptions
{
    public const string Section = "NeuralFP";
    public const string MaxModelBytesSetting = Section + "__" + nameof(MaxModelBytes);
    public const string MaxReferenceBytesSetting = Section + "__" + nameof(MaxReferenceBytes);
    public const string MaxBatchBlobBytesSetting = Section + "__" + nameof(MaxBatchBlobBytes);
    public const string MaxRecordsPerBatchSetting = Section + "__" + nameof(MaxRecordsPerBatch);
    public const string FingerprintLeaseSetting = Section + "__FingerprintLeaseSeconds";
    public const string RegistryCacheSetting = Section + "__RegistryCacheMilliseconds";

    public long MaxModelBytes { get; set; } = 256L << 20;
    public long MaxReferenceBytes { get; set; } = 1L << 30;

    /// <summary>A hard-wired cap: options are a few hundred bytes; anything near 64 KiB is not an options file.</summary>
    public long MaxOptionsBytes { get; set; } = 64 << 10;

    /// <summary>Largest .npy blob a queued score request may point at.</summary>
    public long MaxBatchBlobBytes { get; set; } = 256L << 20;

    /// <summary>Largest batch a queued score request may hold.</summary>
    public int MaxRecordsPerBatch { get; set; } = 100_000;

    /// <summary>
    /// How long a build's claim lasts without renewal. The build renews it every third of this while it works, so a
    /// crashed or cut-off build is taken over (by the next trigger, the sweep, or a read) about one lease after it stopped.
    /// </summary>
    public TimeSpan FingerprintLease { get; set; } = TimeSpan.FromSeconds(60);

    public const string RequireManifestSetting = Section + "__" + nameof(RequireManifest);

    /// <summary>
    /// Build only uploads committed by a <c>manifest.json</c> (written last, naming the files and their SHA-256). Off: an
    /// upload without a manifest builds when model and reference are both there, with the options present at that moment.
    /// </summary>
    public bool RequireManifest { get; set; }

    /// <summary>Builds of the same content that may be cut off (crash, kill, lost lease) before the model is marked failed for good.</summary>
    public int MaxBuildAttempts { get; set; } = 3;

    /// <summary>What one build may cost (features per layer, autoencoder parameters, scorer size, memory); <c>NeuralFP__Limits__*</c>.</summary>
    public BuildLimits Limits { get; set; } = new();

    public const string ScorerCacheBytesSetting = Section + "__" + nameof(ScorerCacheBytes);

    /// <summary>
    /// Estimated bytes of loaded scorers kept for reuse; beyond it the least recently used are evicted (and disposed when
    /// no request holds them). One scorer larger than this is still loaded, alone.
    /// </summary>
    public long ScorerCacheBytes { get; set; } = 512L << 20;

    public const string InlineBatchRecordsSetting = Section + "__" + nameof(InlineBatchRecords);

    /// <summary>
    /// Batches of at most this many records run on a second, single-threaded session inline on the request's thread
    /// (less CPU and latency than the shared intra-op pool for a few records; <c>perf --small-batches</c>); 0 = off.
    /// Only for scorer graphs up to <see cref="Core.Fingerprints.InlineSmallBatches.MaxScorerBytes"/> (64 MiB): the
    /// second session loads the weights once more, counted in the scorer cache's estimate.
    /// </summary>
    public int InlineBatchRecords { get; set; } = Core.Fingerprints.InlineSmallBatches.Default.MaxRecords;

    public const string PreloadModelsSetting = Section + "__" + nameof(PreloadModels);

    /// <summary>In <see cref="PreloadModels"/>: every model that has a current fingerprint, while the scorer cache has room.</summary>
    public const string PreloadEveryModel = "*";

    /// <summary>Most models one setting may name (each costs a download and two sessions at every instance start).</summary>
    public const int MaxPreloadModels = 64;

    /// <summary>
    /// Models whose scorers are loaded when an instance starts, before their first request (comma-separated model ids, or
    /// <c>*</c>); none by default, since an instance that only serves queue messages or builds would load them for nothing.
    /// </summary>
    public IReadOnlyList<string> PreloadModels { get; set; } = [];

    /// <summary>How long the scoring path trusts a registry row before reading it again.</summary>
    public TimeSpan RegistryCacheDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Window and test level of the drift alarms.</summary>
    public DriftAlarmOptions Drift { get; set; } = new();

    public void Validate()
    {
        Positive(MaxModelBytes, MaxModelBytesSetting);
        Positive(MaxReferenceBytes, MaxReferenceBytesSetting);
        Positive(MaxOptionsBytes, nameof(MaxOptionsBytes));
        Positive(MaxBatchBlobBytes, MaxBatchBlobBytesSetting);
        Positive(MaxRecordsPerBatch, MaxRecordsPerBatchSetting);
        Positive(ScorerCacheBytes, ScorerCacheBytesSetting);
        if (InlineBatchRecords < 0 || InlineBatchRecords > Core.Fingerprints.InlineSmallBatches.LargestMaxRecords)
            throw new ArgumentOutOfRangeException(InlineBatchRecordsSetting, InlineBatchRecords, $"{InlineBatchRecordsSetting} must be between 0 (off) and {Core.Fingerprints.InlineSmallBatches.LargestMaxRecords}.");
        if (FingerprintLease < TimeSpan.FromSeconds(10)) throw new ArgumentOutOfRangeException(nameof(FingerprintLease), FingerprintLease, $"{FingerprintLeaseSetting}: the fingerprint lease must be at least 10 seconds.");
        if (RegistryCacheDuration < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RegistryCacheDuration), RegistryCacheDuration, $"{RegistryCacheSetting}: the registry cache duration cannot be negative.");
        if (MaxBuildAttempts < 1) throw new ArgumentOutOfRangeException(nameof(MaxBuildAttempts), MaxBuildAttempts, $"{Section}__{nameof(MaxBuildAttempts)} must be at least 1.");
        ArgumentNullException.ThrowIfNull(PreloadModels);
        if (PreloadModels.Count > MaxPreloadModels)
            throw new ArgumentOutOfRangeException(PreloadModelsSetting, PreloadModels.Count, $"{PreloadModelsSetting} names {PreloadModels.Count} models; at most {MaxPreloadModels} (or * for every ready model).");
        foreach (var id in PreloadModels)
        {
            if (id != PreloadEveryModel && !ModelIds.IsValid(id))
                throw new ArgumentException($"{PreloadModelsSetting}: '{id}' is not a model id (letters, digits, '.', '_' and '-', up to 63, starting with a letter or digit) nor *.", PreloadModelsSetting);
        }
        ArgumentNullException.ThrowIfNull(Limits);
        Limits.Validate();
        ArgumentNullException.ThrowIfNull(Drift);
        Drift.Validate();
    }

    private static void Positive(long value, string setting)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(setting, value, $"{setting} must be positive.");
    }
}
