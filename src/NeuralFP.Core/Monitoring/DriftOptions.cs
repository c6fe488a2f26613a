namespace NeuralFP.Core.Monitoring;

/// <summary>
/// When a model's OOD rate counts as drift: over the last <see cref="WindowSize"/> verdicts, the
/// count of OOD verdicts is tested against the fingerprint's calibrated false-positive rate with a
/// one-sided exact binomial test at level <see cref="Alpha"/>.
/// </summary>
public sealed record DriftOptions
{
    /// <summary>Verdicts in the rolling window (count-based: the most recent ones).</summary>
    public int WindowSize { get; init; } = 500;

    /// <summary>
    /// Significance level of one test. The test runs after every verdict, so the chance of a false
    /// alarm over a long in-distribution stream is larger than α: keep α small.
    /// </summary>
    public double Alpha { get; init; } = 0.001;

    /// <summary>OOD rate expected on in-distribution data: the fingerprint's calibrated FPR.</summary>
    public double ExpectedOodRate { get; init; } = 0.05;

    /// <summary>Fewest verdicts in the window before an alarm may be raised.</summary>
    public int MinimumRecords { get; init; } = 50;

    /// <summary>Throws when a value is out of range, saying which and what is allowed.</summary>
    public void Validate()
    {
        if (WindowSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(WindowSize), WindowSize, "The drift window must hold at least 1 verdict.");
        }

        if (!(Alpha > 0 && Alpha < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "The drift test's α must lie strictly between 0 and 1 (e.g. 0.001).");
        }

        if (!(ExpectedOodRate > 0 && ExpectedOodRate < 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(ExpectedOodRate), ExpectedOodRate, "The expected OOD rate (the calibrated FPR) must lie strictly between 0 and 1.");
        }

        if (MinimumRecords < 1 || MinimumRecords > WindowSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MinimumRecords), MinimumRecords, $"The minimum number of verdicts must be between 1 and the window size ({WindowSize}).");
        }
    }
}
