using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Shifts;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Contracts;

/// <summary>A model as the API shows it: the registry row without its concurrency token.</summary>
/// <param name="ModelId">The model's ID (its folder under models/).</param>
/// <param name="Status">pending, fingerprinting, ready or failed.</param>
/// <param name="FailureReason">Why the last build failed; absent otherwise.</param>
/// <param name="CurrentVersion">The fingerprint version verdicts use; absent before the first build finished.</param>
/// <param name="LatestVersion">The newest version started (equal to the current one when no build is pending).</param>
/// <param name="BuildingVersion">The version being built now; absent when none is.</param>
/// <param name="Layers">The current fingerprint's layers (tensor names), in order.</param>
/// <param name="Detectors">Detectors fitted beside the current fingerprint: the names ?detector= accepts besides 'fingerprint'.</param>
/// <param name="InputShape">The shape of one record the model takes (without the batch axis).</param>
/// <param name="Calibration">How the current fingerprint's thresholds were calibrated.</param>
/// <param name="Hashes">SHA-256 of the current fingerprint's inputs.</param>
/// <param name="BuildSeconds">How long the current fingerprint took to build.</param>
/// <param name="DriftAlarm">The drift test of the current version's recent verdicts fires.</param>
/// <param name="DriftAlarmSince">When the current drift alarm was raised.</param>
/// <param name="CreatedAt">When the model was first seen.</param>
/// <param name="UpdatedAt">When the row last changed.</param>
/// <param name="BuildStartedAt">When the build in progress (or the last one) started.</param>
/// <param name="ReadyAt">When the current version became ready.</param>
/// <param name="SelfCheck">How well the current fingerprint told shifted calibration records (blur, low contrast, occlusion,
/// additive noise; feature noise for tables) from in-distribution ones at build: AUROC and the share flagged, per shift.</param>
/// <param name="Integration">How the current fingerprint's verdict joins its statistics (the integration's kind) and the
/// statistics it leaves out, each with why; absent for fingerprints recorded before.</param>
/// <param name="DetectorSummaries">The detectors of <c>detectors</c> as the fingerprint's manifest summarises them: what each
/// reads, whether it keeps reference data, its realised FPR on the held-out records that set its threshold and the interval of
/// its rate on new in-distribution data (<c>newDataFpr</c>); absent for models whose current version was made ready before
/// it was recorded (the report page and <c>?detector=</c> answers show their intervals).</param>
public sealed record ModelView(
    string ModelId,
    string Status,
    string? FailureReason,
    int? CurrentVersion,
    int LatestVersion,
    int? BuildingVersion,
    IReadOnlyList<string> Layers,
    IReadOnlyList<string> Detectors,
    int[]? InputShape,
    CalibrationSummary? Calibration,
    ContentHashes? Hashes,
    double? BuildSeconds,
    bool DriftAlarm,
    DateTimeOffset? DriftAlarmSince,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? BuildStartedAt,
    DateTimeOffset? ReadyAt,
    SelfCheckSummary? SelfCheck = null,
    IntegrationSummary? Integration = null,
    IReadOnlyList<DetectorSummary>? DetectorSummaries = null);
