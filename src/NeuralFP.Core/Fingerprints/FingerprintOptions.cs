using NeuralFP.Core.Autoencoders;

namespace NeuralFP.Core.Fingerprints;

/// <summary>Options for building a fingerprint; read from <c>fingerprint.json</c> next to an uploaded model.</summary>
public sealed record FingerprintOptions
{
    /// <summary>Tensor names to tap, or null for the automatic choice.</summary>
    public IReadOnlyList<string>? Layers { get; init; }

    /// <summary>Pooling for conv maps: "global", "2x2", "4x4", "none".</summary>
    public string Pooling { get; init; } = "global";

    public AutoencoderOptions Autoencoder { get; init; } = new();

    public double TargetFpr { get; init; } = 0.05;

    public bool TwoSided { get; init; } = true;

    public int Seed { get; init; } = 42;

    /// <summary>Share of reference records held out for the error distribution and calibration.</summary>
    public double HeldOutFraction { get; init; } = 0.4;

    /// <summary>Share of the remaining records used for early stopping.</summary>
    public double ValidationFraction { get; init; } = 0.15;

    public void Validate() => throw new NotImplementedException();
}
