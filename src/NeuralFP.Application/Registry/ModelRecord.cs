using NeuralFP.Core.Shifts;
using NeuralFP.Core.Fingerprints;

namespace NeuralFP.Application.Registry;

/// <summary>
/// One row of the registry table. <see cref="CurrentVersion"/> is the fingerprint that serves verdicts; it
/// only ever points at a fully written artifact. <see cref="BuildingVersion"/> is the build in progress
/// (or the last failed one, through <see cref="BuildingHashes"/>). Version numbers are never reused.
/// </summary>
public sealed record ModelRecord
{
    public required string ModelId { get; init; }
    public ModelStatus Status { get; init; } = ModelStatus.Pending;

    /// <summary>Why the last build failed, when <see cref="Status"/> is <see cref="ModelStatus.Failed"/>.</summary>
    public string? FailureReason { get; init; }

    /// <summary>The failure came from the inputs (bad ONNX, bad .npy, bad options): rebuilding the same content would fail again.</summary>
    public bool FailureIsPermanent { get; init; }

    public int? CurrentVersion { get; init; }
    public ContentHashes? CurrentHashes { get; init; }

    /// <summary>Highest version number ever claimed.</summary>
    public int LatestVersion { get; init; }

    public int? BuildingVersion { get; init; }
    public ContentHashes? BuildingHashes { get; init; }
    public DateTimeOffset? BuildStartedAt { get; init; }

    /// <summary>
    /// Until when the build in progress is known to be alive: its owner renews it while it works, so a crashed or
    /// cut-off build is noticed (and taken over) within one lease, not after a restart.
    /// </summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }

    /// <summary>Builds of <see cref="BuildingHashes"/> started so far that did not end on their own (crashed, killed, cut off).</summary>
    public int BuildAttempts { get; init; }

    /// <summary>
    /// Builds of <see cref="BuildingHashes"/> in a row that ended failed for a reason not in the content (storage refused or
    /// failed, an interruption): the sweep waits longer after each (<see cref="Jobs.FingerprintSweep"/>), so a cause that
    /// lasts costs one build every few minutes, not one per lease, and the model recovers by itself once it is fixed.
    /// </summary>
    public int FailedAttempts { get; init; }

    public IReadOnlyList<string> Layers { get; init; } = [];

    /// <summary>Detectors fitted beside the current fingerprint (names for <c>?detector=</c>); empty for fingerprints built before they were recorded.</summary>
    public IReadOnlyList<string> Detectors { get; init; } = [];

    /// <summary>
    /// The same detectors as the fingerprint's manifest summarises them (what each reads, whether it keeps reference data,
    /// its realised FPR and its threshold's interval on new data); null for rows written before they were recorded, which
    /// keep the names alone in <see cref="Detectors"/>.
    /// </summary>
    public IReadOnlyList<DetectorSummary>? DetectorSummaries { get; init; }

    public int[]? InputShape { get; init; }
    public CalibrationSummary? Calibration { get; init; }

    /// <summary>The current fingerprint's self-check at build (null for fingerprints built without one).</summary>
    public SelfCheckSummary? SelfCheck { get; init; }

    /// <summary>How the current fingerprint's verdict joins its statistics, and what it leaves out (null for rows written before it was recorded).</summary>
    public NeuralFP.Core.Verdicts.IntegrationSummary? Integration { get; init; }

    public double? BuildSeconds { get; init; }

    /// <summary>The drift test of the current version's recent verdicts fires (mirrors the drift table; set and cleared by the drift tracker).</summary>
    public bool DriftAlarm { get; init; }

    /// <summary>When the current drift alarm was raised.</summary>
    public DateTimeOffset? DriftAlarmSince { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? ReadyAt { get; init; }

    /// <summary>The row's ETag when read; updates succeed only if the row has not changed since.</summary>
    public string? ETag { get; init; }

    /// <summary>This row with its current version serving: no build in progress, no failure.</summary>
    public ModelRecord AsReady() => this with
    {
        Status = ModelStatus.Ready,
        FailureReason = null,
        FailureIsPermanent = false,
        BuildingVersion = null,
        BuildingHashes = null,
        BuildStartedAt = null,
        LeaseExpiresAt = null,
        BuildAttempts = 0,
        FailedAttempts = 0,
    };

    /// <summary>A build is in progress and its owner renewed its lease recently enough to be presumed alive.</summary>
    public bool IsBuildAlive(DateTimeOffset now) => Status == ModelStatus.Fingerprinting && LeaseExpiresAt is { } until && now < until;

    /// <summary>A build was in progress but its owner stopped renewing its lease: it crashed or was cut off.</summary>
    public bool IsBuildStalled(DateTimeOffset now) => Status == ModelStatus.Fingerprinting && !IsBuildAlive(now);
}
