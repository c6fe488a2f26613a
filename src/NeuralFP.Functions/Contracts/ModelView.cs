using NeuralFP.Core.Fingerprints;
using NeuralFP.Application.Registry;

namespace NeuralFP.Functions.Contracts;

/// <summary>A model as the API shows it: the registry row without its concurrency token.</summary>
public sealed record ModelView(
    string ModelId,
    string Status,
    string? FailureReason,
    int? CurrentVersion,
    int LatestVersion,
    int? BuildingVersion,
    IReadOnlyList<string> Layers,
    int[]? InputShape,
    CalibrationSummary? Calibration,
    ContentHashes? Hashes,
    double? BuildSeconds,
    bool DriftAlarm,
    DateTimeOffset? DriftAlarmSince,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? BuildStartedAt,
    DateTimeOffset? ReadyAt)
{
    public static ModelView From(ModelRecord record) => new(
        record.ModelId,
        record.Status.ToString().ToLowerInvariant(),
        record.FailureReason,
        record.CurrentVersion,
        record.LatestVersion,
        record.BuildingVersion,
        record.Layers,
        record.InputShape,
        record.Calibration,
        record.CurrentHashes,
        record.BuildSeconds,
        record.DriftAlarm,
        record.DriftAlarmSince,
        record.CreatedAt,
        record.UpdatedAt,
        record.BuildStartedAt,
        record.ReadyAt);
}
