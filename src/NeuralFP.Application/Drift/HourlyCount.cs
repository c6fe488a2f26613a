namespace NeuralFP.Application.Drift;

/// <summary>Verdicts recorded in one clock hour (UTC), for the OOD-rate history and the last day's per-layer fire rates.</summary>
/// <param name="Hour">Start of the hour.</param>
/// <param name="Records">Fingerprint verdicts recorded in the hour.</param>
/// <param name="Ood">Of those, OOD verdicts.</param>
/// <param name="Alarm">The drift alarm was up after some write in the hour.</param>
/// <param name="LayerFires">Per fingerprint layer (in fingerprint order), records whose error at that layer left [μ, τ]; kept for the last
/// day only (older hours drop it, so the row stays bounded), null when not recorded.</param>
public sealed record HourlyCount(DateTimeOffset Hour, long Records, long Ood, bool Alarm = false, long[]? LayerFires = null);
