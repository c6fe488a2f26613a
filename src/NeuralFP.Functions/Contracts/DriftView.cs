namespace NeuralFP.Functions.Contracts;

/// <summary>
/// A model's drift test: over the last <see cref="Count"/> fingerprint verdicts (at most <see cref="WindowSize"/>),
/// <see cref="OodCount"/> were OOD; <see cref="PValue"/> is P[X ≥ OodCount] for X ~ Binomial(Count, ExpectedRate),
/// and the alarm is up when it is below <see cref="Alpha"/> with at least <see cref="MinimumRecords"/> verdicts.
/// </summary>
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
