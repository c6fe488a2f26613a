using NeuralFP.Application.Registry;
using NeuralFP.Contracts;

namespace NeuralFP.Functions.Contracts;

/// <summary>The registry row as the API shows it: the row without its concurrency token.</summary>
internal static class ModelViewMapping
{
    public static ModelView ToView(this ModelRecord record) => new(
        record.ModelId,
        record.Status.ToString().ToLowerInvariant(),
        record.FailureReason,
        record.CurrentVersion,
        record.LatestVersion,
        record.BuildingVersion,
        record.Layers,
        record.Detectors,
        record.InputShape,
        record.Calibration,
        record.CurrentHashes,
        record.BuildSeconds,
        record.DriftAlarm,
        record.DriftAlarmSince,
        record.CreatedAt,
        record.UpdatedAt,
        record.BuildStartedAt,
        record.ReadyAt,
        record.SelfCheck,
        record.Integration,
        record.DetectorSummaries);
}
