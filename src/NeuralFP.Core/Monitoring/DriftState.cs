namespace NeuralFP.Core.Monitoring;

/// <summary>
/// A model's drift test at one moment: how many verdicts the window holds, how many were OOD, the
/// observed rate, the p-value of that many OOD verdicts under the calibrated rate, and whether
/// that is an alarm.
/// </summary>
/// <param name="WindowCount">Verdicts in the window.</param>
/// <param name="OodCount">OOD verdicts in the window.</param>
/// <param name="Rate">OodCount / WindowCount (0 for an empty window).</param>
/// <param name="ExpectedRate">The calibrated false-positive rate tested against.</param>
/// <param name="PValue">P[X ≥ OodCount] for X ~ Binomial(WindowCount, ExpectedRate).</param>
/// <param name="Alpha">Significance level of the test.</param>
/// <param name="Alarm">The window holds enough verdicts and the p-value is below α.</param>
public readonly record struct DriftState(
    int WindowCount,
    int OodCount,
    double Rate,
    double ExpectedRate,
    double PValue,
    double Alpha,
    bool Alarm)
{
    /// <summary>Tests <paramref name="oodCount"/> OOD verdicts out of <paramref name="windowCount"/>.</summary>
    public static DriftState Evaluate(int windowCount, int oodCount, DriftOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (windowCount < 0 || windowCount > options.WindowSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(windowCount), windowCount, $"The window count must be between 0 and the window size ({options.WindowSize}).");
        }

        if (oodCount < 0 || oodCount > windowCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(oodCount), oodCount, $"The OOD count must be between 0 and the window count ({windowCount}).");
        }

        double pValue = BinomialTail.UpperTail(oodCount, windowCount, options.ExpectedOodRate);
        bool alarm = windowCount >= options.MinimumRecords && pValue < options.Alpha;
        double rate = windowCount == 0 ? 0.0 : (double)oodCount / windowCount;
        return new DriftState(windowCount, oodCount, rate, options.ExpectedOodRate, pValue, options.Alpha, alarm);
    }
}
