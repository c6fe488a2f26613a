namespace NeuralFP.Application.Drift;

/// <summary>
/// The message put on the alerts queue when a model's drift alarm is raised. Delivery is at least once:
/// consumers de-duplicate on (<see cref="ModelId"/>, <see cref="AlarmId"/>).
/// </summary>
/// <param name="Kind">Always <c>drift-alarm</c>.</param>
/// <param name="AlarmId">1 for the model's first alarm, then counting up.</param>
/// <param name="PValue">P[X ≥ OodCount] for X ~ Binomial(WindowCount, ExpectedRate).</param>
public sealed record DriftAlert(
    string Kind,
    string ModelId,
    int ModelVersion,
    int AlarmId,
    DateTimeOffset RaisedAt,
    int WindowSize,
    int WindowCount,
    int OodCount,
    double Rate,
    double ExpectedRate,
    double PValue,
    double Alpha)
{
    public const string DriftAlarmKind = "drift-alarm";

    public static DriftAlert From(DriftWindowRecord record) => new(
        DriftAlarmKind, record.ModelId, record.ModelVersion, record.AlarmsRaised, record.AlarmSince ?? record.UpdatedAt, record.WindowSize,
        record.Outcomes.Length, record.OodCount, record.State.Rate, record.ExpectedRate, record.PValue, record.Alpha);
}
