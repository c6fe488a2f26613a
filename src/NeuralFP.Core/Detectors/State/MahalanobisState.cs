using System.Text.Json.Serialization;

namespace NeuralFP.Core.Detectors.State;

public sealed record MahalanobisState : DetectorState
{
    public int Features { get; init; }

    /// <summary>The shrinkage intensity δ that was used.</summary>
    public double Shrinkage { get; init; }

    /// <summary>True when δ was estimated (Ledoit–Wolf) rather than fixed.</summary>
    public bool ShrinkageEstimated { get; init; }

    public bool PreferLabels { get; init; } = true;

    /// <summary>Class ids, in the order of <see cref="WhitenedMeans"/>.</summary>
    public required int[] Classes { get; init; }

    /// <summary>L⁻¹ with L·Lᵀ = Σ*, [Features, Features] row-major.</summary>
    [JsonConverter(typeof(PackedArrayJsonConverter<float>))]
    public required float[] Whitening { get; init; }

    /// <summary>L⁻¹·μ_c per class, [Classes, Features].</summary>
    [JsonConverter(typeof(PackedArrayJsonConverter<float>))]
    public required float[] WhitenedMeans { get; init; }
}
