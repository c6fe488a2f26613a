using System.Globalization;

namespace NeuralFP.Core.Shifts;

/// <summary>
/// What the build's self-check found (<see cref="Fingerprints.FingerprintOptions.SelfCheckRecords"/>): per shift, how well
/// this fingerprint tells shifted calibration records from unshifted ones on this model. Nothing is chosen from it; it says,
/// at upload, whether the fingerprint is blind to a common shift on a model the defaults were not chosen on.
/// </summary>
/// <param name="Records">Calibration records shifted per shift (an even stride over them).</param>
/// <param name="Against">What the shifted records are compared with.</param>
/// <param name="Shifts">Per shift: what was done, the AUROC and the share flagged.</param>
/// <param name="DetectorRecords">Of the shifted records, the held-out ones the detectors fitted beside the fingerprint are
/// compared on (their fit set holds the others); 0 without detectors.</param>
public sealed record SelfCheckSummary(int Records, string Against, IReadOnlyList<ShiftSensitivity> Shifts, int DetectorRecords = 0)
{
    /// <summary>Below this AUROC the build warns that the fingerprint sees a shift weakly (a report, not a decision).</summary>
    public const double WeakAuroc = 0.8;

    /// <summary>Statistics kept per shift, best first.</summary>
    public const int StatisticsKept = 3;

    /// <summary>How much better than the fingerprint one statistic alone must see a shift for the build to say the others dilute it.</summary>
    public const double DilutionMargin = 0.03;

    /// <summary>The shifts this fingerprint sees weakly.</summary>
    public IEnumerable<ShiftSensitivity> Weak() => Shifts.Where(s => s.Auroc < WeakAuroc);

    /// <summary>One line for logs and the CLI.</summary>
    public override string ToString() =>
        $"self-check on {Records:N0} shifted calibration records each: " +
        string.Join("; ", Shifts.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Shift} AUROC {s.Auroc:F3}, {s.Flagged:P0} flagged")));
}

/// <param name="Shift">The shift's name (blur, low contrast, occlusion, additive noise; feature noise for records without an image).</param>
/// <param name="Description">What was done, with the sizes this reference gave it.</param>
/// <param name="Auroc">Shifted records' scores against the calibration records' own: 0.5 is blind, 1 tells every one apart.</param>
/// <param name="Flagged">The share of shifted records flagged at the calibrated threshold (in-distribution records: the target rate).</param>
/// <param name="Detectors">The same for each detector fitted beside the fingerprint (the combined one reading the copies'
/// fingerprint scores), on the shifted
/// held-out records against its own held-out scores, best first; null without detectors.</param>
/// <param name="Statistics">The fingerprint's statistics that see the shift best, each alone against the calibration
/// records' own values (at most <see cref="SelfCheckSummary.StatisticsKept"/>, best first); null in fingerprints built before.</param>
public sealed record ShiftSensitivity(string Shift, string Description, double Auroc, double Flagged, IReadOnlyList<DetectorShiftSensitivity>? Detectors = null,
    IReadOnlyList<StatisticShiftSensitivity>? Statistics = null)
{
    /// <summary>The detector that sees this shift best, when one sees it at <see cref="SelfCheckSummary.WeakAuroc"/> or more and
    /// better than the fingerprint.</summary>
    public DetectorShiftSensitivity? BetterDetector() =>
        Detectors?.FirstOrDefault() is { } best && best.Auroc >= SelfCheckSummary.WeakAuroc && best.Auroc > Auroc ? best : null;

    /// <summary>
    /// The statistic that, alone, sees this shift at least <see cref="SelfCheckSummary.DilutionMargin"/> better than the
    /// fingerprint, which reads it among all its statistics: the others dilute it (a report; nothing is chosen from it).
    /// </summary>
    public StatisticShiftSensitivity? DilutingStatistic() =>
        Statistics?.FirstOrDefault() is { } best && best.Auroc >= Auroc + SelfCheckSummary.DilutionMargin ? best : null;

    /// <summary>What <see cref="DilutingStatistic"/> found, as one sentence for logs (null when nothing is diluted).</summary>
    public string? Dilution() => DilutingStatistic() is { } alone
        ? string.Create(CultureInfo.InvariantCulture, $"On {Shift}, the statistic {alone.Statistic} alone reads self-check AUROC {alone.Auroc:F3} ({(alone.Lower ? "lower" : "higher")} when shifted), above the fingerprint's {Auroc:F3}: ") +
          (alone.NotRead ? "the fingerprint's integration does not read it (integration.excluded says why)" : "its other statistics dilute it")
        : null;
}

/// <param name="Statistic">The statistic: a layer's error or latent distance, or a measure of the input.</param>
/// <param name="Auroc">The statistic alone, shifted records against the calibration records, read the way the shift moves
/// it (so at least 0.5).</param>
/// <param name="Lower">True when the shift lowers the statistic (an error too small, as blur gives the input layer).</param>
/// <param name="NotRead">True when the fingerprint's integration leaves the statistic out (constant, unmoved by the
/// response shifts, or not read by its kind); omitted when false.</param>
public sealed record StatisticShiftSensitivity(string Statistic, double Auroc, bool Lower,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] bool NotRead = false);

/// <param name="Detector">The detector's name (as <c>?detector=</c> takes it).</param>
/// <param name="Auroc">Its scores on the shifted held-out records against its own held-out scores.</param>
/// <param name="Flagged">The share of them it flags at its own calibrated threshold.</param>
public sealed record DetectorShiftSensitivity(string Detector, double Auroc, double Flagged);
