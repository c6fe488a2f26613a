using NeuralFP.Core.Shifts;
using System.Globalization;
using System.Text.Json;
using global::Azure.Data.Tables;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Verdicts;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Serialization;

namespace NeuralFP.Azure.Tables;

/// <summary>Maps <see cref="ModelRecord"/> to and from a table entity (one partition, row key = model id).</summary>
internal static class ModelRecordMapper
{
    public const string Partition = "model";

    /// <summary>How a status is stored (and filtered on).</summary>
    public static string StatusText(ModelStatus status) => status.ToString().ToLowerInvariant();

    public static TableEntity ToEntity(ModelRecord record)
    {
        var entity = new TableEntity(Partition, record.ModelId)
        {
            ["Status"] = StatusText(record.Status),
            ["FailureReason"] = Truncate(record.FailureReason),
            ["FailureIsPermanent"] = record.FailureIsPermanent,
            ["CurrentVersion"] = record.CurrentVersion,
            ["LatestVersion"] = record.LatestVersion,
            ["BuildingVersion"] = record.BuildingVersion,
            ["BuildStartedAt"] = record.BuildStartedAt,
            ["LeaseExpiresAt"] = record.LeaseExpiresAt,
            ["BuildAttempts"] = record.BuildAttempts,
            ["FailedAttempts"] = record.FailedAttempts,
            ["Layers"] = JsonSerializer.Serialize(record.Layers, JsonDefaults.Options),
            ["Detectors"] = JsonSerializer.Serialize(record.Detectors, JsonDefaults.Options),
            ["DetectorSummaries"] = record.DetectorSummaries is null ? null : JsonSerializer.Serialize(record.DetectorSummaries, JsonDefaults.Options),
            ["InputShape"] = record.InputShape is null ? null : JsonSerializer.Serialize(record.InputShape, JsonDefaults.Options),
            ["Calibration"] = record.Calibration is null ? null : JsonSerializer.Serialize(record.Calibration, JsonDefaults.Options),
            ["SelfCheck"] = record.SelfCheck is null ? null : JsonSerializer.Serialize(record.SelfCheck, JsonDefaults.Options),
            ["Integration"] = record.Integration is null ? null : JsonSerializer.Serialize(record.Integration, JsonDefaults.Options),
            ["BuildSeconds"] = record.BuildSeconds,
            ["DriftAlarm"] = record.DriftAlarm,
            ["DriftAlarmSince"] = record.DriftAlarmSince,
            ["CreatedAt"] = record.CreatedAt,
            ["UpdatedAt"] = record.UpdatedAt,
            ["ReadyAt"] = record.ReadyAt,
            ETag = record.ETag is null ? default : new global::Azure.ETag(record.ETag),
        };
        WriteHashes(entity, "Current", record.CurrentHashes);
        WriteHashes(entity, "Building", record.BuildingHashes);
        return entity;
    }

    public static ModelRecord FromEntity(TableEntity entity) => new()
    {
        ModelId = entity.RowKey,
        Status = Enum.Parse<ModelStatus>(entity.GetString("Status") ?? "pending", ignoreCase: true),
        FailureReason = entity.GetString("FailureReason"),
        FailureIsPermanent = entity.GetBoolean("FailureIsPermanent") ?? false,
        CurrentVersion = entity.GetInt32("CurrentVersion"),
        CurrentHashes = ReadHashes(entity, "Current"),
        LatestVersion = entity.GetInt32("LatestVersion") ?? 0,
        BuildingVersion = entity.GetInt32("BuildingVersion"),
        BuildingHashes = ReadHashes(entity, "Building"),
        BuildStartedAt = entity.GetDateTimeOffset("BuildStartedAt"),
        LeaseExpiresAt = entity.GetDateTimeOffset("LeaseExpiresAt"),
        BuildAttempts = entity.GetInt32("BuildAttempts") ?? 0,
        FailedAttempts = entity.GetInt32("FailedAttempts") ?? 0,
        Layers = Deserialize<string[]>(entity.GetString("Layers")) ?? [],
        Detectors = Deserialize<string[]>(entity.GetString("Detectors")) ?? [],
        DetectorSummaries = Deserialize<DetectorSummary[]>(entity.GetString("DetectorSummaries")),
        InputShape = Deserialize<int[]>(entity.GetString("InputShape")),
        Calibration = Deserialize<CalibrationSummary>(entity.GetString("Calibration")),
        SelfCheck = Deserialize<SelfCheckSummary>(entity.GetString("SelfCheck")),
        Integration = Deserialize<IntegrationSummary>(entity.GetString("Integration")),
        BuildSeconds = entity.GetDouble("BuildSeconds"),
        DriftAlarm = entity.GetBoolean("DriftAlarm") ?? false,
        DriftAlarmSince = entity.GetDateTimeOffset("DriftAlarmSince"),
        CreatedAt = entity.GetDateTimeOffset("CreatedAt") ?? entity.Timestamp ?? DateTimeOffset.MinValue,
        UpdatedAt = entity.GetDateTimeOffset("UpdatedAt") ?? entity.Timestamp ?? DateTimeOffset.MinValue,
        ReadyAt = entity.GetDateTimeOffset("ReadyAt"),
        ETag = entity.ETag == default ? null : entity.ETag.ToString(),
    };

    private static void WriteHashes(TableEntity entity, string prefix, ContentHashes? hashes)
    {
        entity[prefix + "ModelSha256"] = hashes?.Model;
        entity[prefix + "ReferenceSha256"] = hashes?.Reference;
        entity[prefix + "OptionsSha256"] = hashes?.Options;
    }

    private static ContentHashes? ReadHashes(TableEntity entity, string prefix)
    {
        var model = entity.GetString(prefix + "ModelSha256");
        var reference = entity.GetString(prefix + "ReferenceSha256");
        var options = entity.GetString(prefix + "OptionsSha256");
        return model is null || reference is null || options is null ? null : new ContentHashes(model, reference, options);
    }

    private static T? Deserialize<T>(string? json) where T : class
        => string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<T>(json, JsonDefaults.Options);

    // A table string property holds at most 64 KiB (32 K UTF-16 chars); a reason never needs that much.
    private static string? Truncate(string? reason)
        => reason is null || reason.Length <= 4000 ? reason : string.Concat(reason.AsSpan(0, 3990), " …", reason.Length.ToString(CultureInfo.InvariantCulture));
}
