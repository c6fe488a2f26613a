namespace NeuralFP.Core.Detectors;

/// <summary>Options for <see cref="ActivationPatternMonitor"/>.</summary>
public sealed record ActivationPatternOptions
{
    /// <summary>A unit is "on" when its activation is above this (0 for a ReLU layer's output).</summary>
    public float ActivationThreshold { get; init; }

    /// <summary>γ: a record is outside the monitor when its Hamming distance to every stored pattern of its predicted class exceeds γ.</summary>
    public int Gamma { get; init; }

    /// <summary>Group reference patterns by the true labels when given, else (default) by the predicted class, as scoring does.</summary>
    public bool PreferLabels { get; init; }

    internal void Validate()
    {
        if (Gamma < 0) throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "The pattern monitor's γ is a Hamming distance and cannot be negative.");
        if (!float.IsFinite(ActivationThreshold)) throw new ArgumentOutOfRangeException(nameof(ActivationThreshold), ActivationThreshold, "The on/off threshold must be finite.");
    }
}
