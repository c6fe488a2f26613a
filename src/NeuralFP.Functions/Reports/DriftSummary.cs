using NeuralFP.Core.Monitoring;

namespace NeuralFP.Functions.Reports;

/// <summary>Recent verdicts: the last day's counts, the drift test over the rolling window, the hourly history and per-layer fires.</summary>
/// <param name="LastDayRecords">Verdicts given in the last 24 hours.</param>
/// <param name="LastDayOodCount">Of those, OOD verdicts.</param>
/// <param name="Window">The drift test's current state.</param>
/// <param name="Hours">Verdicts per clock hour over the last week (hours without verdicts left out); null when not known.</param>
/// <param name="AlarmSince">When the current alarm was raised; null without one.</param>
/// <param name="LayerFireRecords">Verdicts of the last day whose per-layer fires were recorded.</param>
/// <param name="LayerFires">Of those, per fingerprint layer (in order), how many fired at that layer; null when not recorded.</param>
public sealed record DriftSummary(
    int LastDayRecords,
    int LastDayOodCount,
    DriftState Window,
    IReadOnlyList<HourlyRate>? Hours = null,
    DateTimeOffset? AlarmSince = null,
    long LayerFireRecords = 0,
    long[]? LayerFires = null)
{
    /// <summary>The last day's OOD rate, or null without verdicts.</summary>
    public double? LastDayRate => LastDayRecords == 0 ? null : (double)LastDayOodCount / LastDayRecords;
}
