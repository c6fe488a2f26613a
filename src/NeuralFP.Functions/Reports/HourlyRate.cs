namespace NeuralFP.Functions.Reports;

/// <summary>One clock hour of fingerprint verdicts, as the OOD-rate chart draws it.</summary>
/// <param name="Hour">Start of the hour (UTC).</param>
/// <param name="Records">Verdicts given in the hour.</param>
/// <param name="Ood">Of those, OOD.</param>
/// <param name="Alarm">The drift alarm was up during the hour.</param>
public sealed record HourlyRate(DateTimeOffset Hour, long Records, long Ood, bool Alarm)
{
    public double? Rate => Records == 0 ? null : (double)Ood / Records;
}
