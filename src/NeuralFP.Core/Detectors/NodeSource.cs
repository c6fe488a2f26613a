namespace NeuralFP.Core.Detectors;

/// <summary>Which tapped activations a per-node detector reads.</summary>
public enum NodeSource
{
    Penultimate,
    PatternLayer,
}
