using NeuralFP.Core.Monitoring;

namespace NeuralFP.Application.Drift;

/// <summary>
/// One row of the drift table: a model's rolling window of verdict outcomes for one fingerprint version, the
/// drift test's result at the last write, the alarm and what is still owed for it (the alert message, the
/// registry flag), the last day's counts by hour and the batch ids already counted.
/// </summary>
public sealed record DriftWindowRecord
{
    public required string ModelId { get; init; }

    /// <summary>The fingerprint version whose verdicts the window holds; a newer version starts a new window.</summary>
    public int ModelVersion { get; init; }

    /// <summary>The OOD rate tested against: the fingerprint's calibrated false-positive rate.</summary>
    public double ExpectedRate { get; init; }

    public double Alpha { get; init; }

    public int WindowSize { get; init; }

    /// <summary>Outcomes in the window, oldest first (true = OOD).</summary>
    public bool[] Outcomes { get; init; } = [];

    public int OodCount { get; init; }

    public double PValue { get; init; } = 1;

    public bool Alarm { get; init; }

    public DateTimeOffset? AlarmSince { get; init; }

    /// <summary>Alarms raised for this model so far; the alert message carries it as its id.</summary>
    public int AlarmsRaised { get; init; }

    /// <summary>The alert message of the current alarm has not been sent yet.</summary>
    public bool AlertPending { get; init; }

    /// <summary>The registry's alarm flag may not match <see cref="Alarm"/> yet.</summary>
    public bool RegistryPending { get; init; }

    public IReadOnlyList<HourlyCount> Hours { get; init; } = [];

    /// <summary>Queued batches already counted, newest last, so a redelivered batch is not counted twice.</summary>
    public IReadOnlyList<string> RecentBatches { get; init; } = [];

    /// <summary>Each recent write-behind writer's last applied flush, newest last (at most <c>DriftTracker.RememberedWriters</c>).</summary>
    public IReadOnlyList<WriterMark> Writers { get; init; } = [];

    public long TotalRecords { get; init; }

    public long TotalOod { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The row's version tag when read (null before it was first written); writes succeed only if it is unchanged.</summary>
    public string? ETag { get; init; }

    /// <summary>The drift test as of the last write.</summary>
    public DriftState State => new(Outcomes.Length, OodCount, Outcomes.Length == 0 ? 0 : (double)OodCount / Outcomes.Length, ExpectedRate, PValue, Alpha, Alarm);

    /// <summary>Records and OOD verdicts in the hours that began less than a day before <paramref name="now"/>.</summary>
    public (long Records, long Ood) LastDay(DateTimeOffset now)
    {
        var since = HourOf(now).AddHours(-23);
        long records = 0, ood = 0;
        foreach (var hour in Hours)
        {
            if (hour.Hour < since) continue;
            records += hour.Records;
            ood += hour.Ood;
        }
        return (records, ood);
    }

    public static DateTimeOffset HourOf(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }
}
