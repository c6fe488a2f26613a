using System.Text.Json.Serialization;

namespace NeuralFP.Core.Detectors.State;

public sealed record ActivationPatternState : DetectorState
{
    /// <summary>Width of the watched layer (bits per pattern).</summary>
    public int Units { get; init; }

    public float ActivationThreshold { get; init; }

    public int Gamma { get; init; }

    public bool PreferLabels { get; init; }

    /// <summary>Patterns of class c are rows [ClassOffsets[c], ClassOffsets[c+1]) of <see cref="Patterns"/>.</summary>
    public required int[] ClassOffsets { get; init; }

    /// <summary>Per-unit thresholds (reference medians) when the watched layer is not ReLU-like; null otherwise.</summary>
    public float[]? UnitThresholds { get; init; }

    /// <summary>Distinct patterns, ⌈Units/64⌉ words each, bit u of word u/64 = unit u on.</summary>
    [JsonConverter(typeof(PackedArrayJsonConverter<ulong>))]
    public required ulong[] Patterns { get; init; }
}
