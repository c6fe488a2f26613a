using System.Text.Json;
using global::Azure.Data.Tables;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Serialization;

namespace NeuralFP.Azure.Tables;

/// <summary>Maps <see cref="DriftWindowRecord"/> to and from a table entity: one partition, row key = model id, outcomes one bit each.</summary>
internal static class DriftWindowMapper
{
    public const string Partition = "drift";

    public static TableEntity ToEntity(DriftWindowRecord record) => new(Partition, record.ModelId)
    {
        ["ModelVersion"] = record.ModelVersion,
        ["ExpectedRate"] = record.ExpectedRate,
        ["Alpha"] = record.Alpha,
        ["WindowSize"] = record.WindowSize,
        ["WindowCount"] = record.Outcomes.Length,
        ["Outcomes"] = Pack(record.Outcomes),
        ["OodCount"] = record.OodCount,
        ["PValue"] = record.PValue,
        ["Alarm"] = record.Alarm,
        ["AlarmSince"] = record.AlarmSince,
        ["AlarmsRaised"] = record.AlarmsRaised,
        ["AlertPending"] = record.AlertPending,
        ["RegistryPending"] = record.RegistryPending,
        ["Hours"] = JsonSerializer.Serialize(record.Hours, JsonDefaults.Options),
        ["RecentBatches"] = JsonSerializer.Serialize(record.RecentBatches, JsonDefaults.Options),
        ["Writers"] = JsonSerializer.Serialize(record.Writers, JsonDefaults.Options),
        ["TotalRecords"] = record.TotalRecords,
        ["TotalOod"] = record.TotalOod,
        ["UpdatedAt"] = record.UpdatedAt,
        ETag = record.ETag is null ? default : new global::Azure.ETag(record.ETag),
    };

    public static DriftWindowRecord FromEntity(TableEntity entity) => new()
    {
        ModelId = entity.RowKey,
        ModelVersion = entity.GetInt32("ModelVersion") ?? 0,
        ExpectedRate = entity.GetDouble("ExpectedRate") ?? 0,
        Alpha = entity.GetDouble("Alpha") ?? 0,
        WindowSize = entity.GetInt32("WindowSize") ?? 0,
        Outcomes = Unpack(entity.GetBinary("Outcomes") ?? [], entity.GetInt32("WindowCount") ?? 0),
        OodCount = entity.GetInt32("OodCount") ?? 0,
        PValue = entity.GetDouble("PValue") ?? 1,
        Alarm = entity.GetBoolean("Alarm") ?? false,
        AlarmSince = entity.GetDateTimeOffset("AlarmSince"),
        AlarmsRaised = entity.GetInt32("AlarmsRaised") ?? 0,
        AlertPending = entity.GetBoolean("AlertPending") ?? false,
        RegistryPending = entity.GetBoolean("RegistryPending") ?? false,
        Hours = Deserialize<HourlyCount[]>(entity.GetString("Hours")) ?? [],
        RecentBatches = Deserialize<string[]>(entity.GetString("RecentBatches")) ?? [],
        Writers = Deserialize<WriterMark[]>(entity.GetString("Writers")) ?? [],
        TotalRecords = entity.GetInt64("TotalRecords") ?? 0,
        TotalOod = entity.GetInt64("TotalOod") ?? 0,
        UpdatedAt = entity.GetDateTimeOffset("UpdatedAt") ?? entity.Timestamp ?? DateTimeOffset.MinValue,
        ETag = entity.ETag == default ? null : entity.ETag.ToString(),
    };

    internal static byte[] Pack(bool[] outcomes)
    {
        var bytes = new byte[(outcomes.Length + 7) / 8];
        for (var i = 0; i < outcomes.Length; i++)
            if (outcomes[i]) bytes[i >> 3] |= (byte)(1 << (i & 7));
        return bytes;
    }

    internal static bool[] Unpack(byte[] bytes, int count)
    {
        if (count < 0 || count > bytes.Length * 8)
            throw new InvalidDataException($"The drift window says it holds {count} outcomes but stores {bytes.Length * 8} bits.");
        var outcomes = new bool[count];
        for (var i = 0; i < count; i++) outcomes[i] = (bytes[i >> 3] & (1 << (i & 7))) != 0;
        return outcomes;
    }

    private static T? Deserialize<T>(string? json) where T : class
        => string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<T>(json, JsonDefaults.Options);
}
