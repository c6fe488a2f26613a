namespace NeuralFP.Core.Detectors;

/// <summary>Options for <see cref="NodeHistogramDetector"/>.</summary>
public sealed record NodeHistogramOptions
{
    /// <summary>Equal-width bins per node between the node's reference minimum and maximum.</summary>
    public int Bins { get; init; } = 100;

    public NodeSource Source { get; init; } = NodeSource.Penultimate;

    public NodeTail Tail { get; init; } = NodeTail.Upper;

    /// <summary>
    /// Min-p with Bonferroni by default: on the Fashion-MNIST CNN's penultimate layer Fisher's sum mostly
    /// measured how strongly in-distribution records fire (AUROC below 0.5 on digits and noise), min-p did not.
    /// </summary>
    public PValueCombination Combination { get; init; } = PValueCombination.MinBonferroni;

    internal void Validate()
    {
        if (Bins < 1 || Bins > 1 << 20) throw new ArgumentOutOfRangeException(nameof(Bins), Bins, "Node histograms need between 1 and 1,048,576 bins.");
        if (!Enum.IsDefined(Source)) throw new ArgumentOutOfRangeException(nameof(Source), Source, "Unknown node source.");
        if (!Enum.IsDefined(Tail)) throw new ArgumentOutOfRangeException(nameof(Tail), Tail, "Unknown tail.");
        if (!Enum.IsDefined(Combination)) throw new ArgumentOutOfRangeException(nameof(Combination), Combination, "Unknown p-value combination.");
    }
}
