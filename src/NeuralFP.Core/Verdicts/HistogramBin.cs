namespace NeuralFP.Core.Verdicts;

/// <summary>A bin (Start, End] and the share of the distribution inside it (a point mass on an edge counts in the bin it ends).</summary>
public readonly record struct HistogramBin(double Start, double End, double Mass);
