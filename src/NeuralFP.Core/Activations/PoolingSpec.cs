namespace NeuralFP.Core.Activations;

public enum PoolingKind { None, Grid }

/// <summary>
/// How a [C,H,W] activation map becomes a feature vector: <c>none</c> flattens it; <c>grid k</c>
/// averages it over a k×k grid of adaptive bins (PyTorch AdaptiveAvgPool2d bins) to C·k·k
/// features; <c>global</c> is grid 1. Tensors of rank ≤ 2 are never pooled.
/// </summary>
public sealed record PoolingSpec(PoolingKind Kind, int Grid)
{
    public static PoolingSpec None { get; } = new(PoolingKind.None, 0);
    public static PoolingSpec Global { get; } = new(PoolingKind.Grid, 1);

    /// <summary>Parses "none", "global", "2x2", "4x4" (any k×k).</summary>
    public static PoolingSpec Parse(string text) => throw new NotImplementedException();

    public override string ToString() => Kind == PoolingKind.None ? "none" : Grid == 1 ? "global" : $"{Grid}x{Grid}";

    /// <summary>Feature count for a record shape (without batch).</summary>
    public int FeatureCount(int[] recordShape) => throw new NotImplementedException();

    /// <summary>Pools one record's activation (C-ordered, <paramref name="recordShape"/>) into <paramref name="destination"/>.</summary>
    public void Pool(ReadOnlySpan<float> record, int[] recordShape, Span<float> destination) => throw new NotImplementedException();
}
