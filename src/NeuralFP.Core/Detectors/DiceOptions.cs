namespace NeuralFP.Core.Detectors;

/// <summary>Options for <see cref="DiceDetector"/>.</summary>
public sealed record DiceOptions
{
    /// <summary>Sparsity p in percent: the weights whose contribution falls in the bottom p% are zeroed (the paper's default 90).</summary>
    public double Percentile { get; init; } = 90;

    internal void Validate()
    {
        if (!(Percentile >= 0 && Percentile < 100))
            throw new ArgumentOutOfRangeException(nameof(Percentile), Percentile, "DICE's sparsity percentile must be in [0, 100): 0 keeps every weight, 90 keeps the top 10%.");
    }
}
