namespace NeuralFP.Application.Drift;

/// <summary>Verdicts recorded in one clock hour (UTC), for the last day's OOD rate.</summary>
/// <param name="Hour">Start of the hour.</param>
public sealed record HourlyCount(DateTimeOffset Hour, long Records, long Ood);
