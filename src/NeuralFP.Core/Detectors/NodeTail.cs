namespace NeuralFP.Core.Detectors;

/// <summary>Which side of a node's reference distribution counts as extreme.</summary>
public enum NodeTail
{
    /// <summary>p = P(A ≥ a): the node fires more strongly than usual (the paper's choice).</summary>
    Upper,

    /// <summary>p = 2·min(P(A ≥ a), P(A ≤ a)), capped at 1: unusually strong or unusually weak.</summary>
    TwoSided,
}
