using NeuralFP.Core.Monitoring;

namespace NeuralFP.Functions.Reports;

/// <summary>Recent verdicts: the last day's counts and the drift test over the rolling window.</summary>
/// <param name="LastDayRecords">Verdicts given in the last 24 hours.</param>
/// <param name="LastDayOodCount">Of those, OOD verdicts.</param>
/// <param name="Window">The drift test's current state.</param>
public sealed record DriftSummary(int LastDayRecords, int LastDayOodCount, DriftState Window)
{
    /// <summary>The last day's OOD rate, or null without verdicts.</summary>
    public double? LastDayRate => LastDayRecords == 0 ? null : (double)LastDayOodCount / LastDayRecords;
}
