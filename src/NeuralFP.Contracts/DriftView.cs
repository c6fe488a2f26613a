namespace NeuralFP.Contracts;

/// <summary>
/// A model's drift test: over the last <see cref="Count"/> fingerprint verdicts (at most <see cref="WindowSize"/>),
/// <see cref="OodCount"/> were OOD; <see cref="PValue"/> is P[X ≥ OodCount] for X ~ Binomial(Count, ExpectedRate),
/// and the alarm is up when it is below <see cref="Alpha"/> with at least <see cref="MinimumRecords"/> verdicts.
/// </summary>
/// <param name="ModelId">The model's ID.</param>
/// <param name="ModelVersion">The current fingerprint version, whose verdicts the window holds.</param>
/// <param name="WindowSize">Most verdicts the rolling window holds.</param>
/// <param name="Count">Verdicts in the window now.</param>
/// <param name="OodCount">Of those, OOD verdicts.</param>
/// <param name="Rate">OodCount / Count (0 without verdicts).</param>
/// <param name="PValue">One-sided binomial p-value of OodCount against ExpectedRate.</param>
/// <param name="Alpha">Significance level of the drift test.</param>
/// <param name="MinimumRecords">Verdicts the window needs before the alarm can be raised.</param>
/// <param name="Alarm">The drift alarm is up.</param>
/// <param name="AlarmSince">When the current alarm was raised; null without one.</param>
/// <param name="LastDayOodRecords">Of the last day's verdicts, OOD verdicts.</param>
/// <param name="LastDayRate">The last day's OOD rate; null without verdicts.</param>
/// <param name="ExpectedRate">The fingerprint's calibrated false-positive rate: the OOD rate expected without drift.</param>
/// <param name="AlarmsRaised">Alarms raised for this model so far (the alert messages' ids).</param>
/// <param name="LastDayRecords">Verdicts recorded in the last 24 hours (whole clock hours).</param>
/// <param name="TotalRecords">Verdicts recorded for this version since it became current.</param>
/// <param name="UpdatedAt">When the window was last written; null before the first verdict.</param>
public sealed record DriftView(
    string ModelId,
    int ModelVersion,
    int WindowSize,
    int Count,
    int OodCount,
    double Rate,
    double ExpectedRate,
    double PValue,
    double Alpha,
    int MinimumRecords,
    bool Alarm,
    DateTimeOffset? AlarmSince,
    int AlarmsRaised,
    long LastDayRecords,
    long LastDayOodRecords,
    double? LastDayRate,
    long TotalRecords,
    DateTimeOffset? UpdatedAt);
