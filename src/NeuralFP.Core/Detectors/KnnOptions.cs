namespace NeuralFP.Core.Detectors;

/// <summary>Options for <see cref="KnnDetector"/>.</summary>
public sealed record KnnOptions
{
    /// <summary>Which neighbour's distance is the score (the paper's default 50).</summary>
    public int K { get; init; } = 50;

    /// <summary>How many reference records to keep (a seeded uniform subsample when the reference is larger).</summary>
    public int BankSize { get; init; } = 5000;

    public int Seed { get; init; }

    internal void Validate()
    {
        if (K < 1) throw new ArgumentOutOfRangeException(nameof(K), K, "k-NN's K must be at least 1.");
        if (BankSize < K) throw new ArgumentOutOfRangeException(nameof(BankSize), BankSize, $"k-NN's bank must hold at least K = {K} records.");
    }
}
