using NeuralFP.Core.Explanations;

namespace NeuralFP.Functions.Reports;

/// <summary>One of a posted batch's most unusual records (highest OOD score), with what explains it.</summary>
/// <param name="Index">Position in the posted batch (0-based).</param>
/// <param name="Ood">The fingerprint's verdict.</param>
/// <param name="Score">The verdict's continuous OOD score (higher = more unusual).</param>
/// <param name="PValue">The verdict's corrected p-value.</param>
/// <param name="FiredLayers">Layers whose error left [μ, τ].</param>
/// <param name="Explanation">The deciding layer and, with an input-layer autoencoder, the input features behind its error.</param>
/// <param name="Image">The record as an image, when the model's input is one ([H,W] or [C,H,W]); null otherwise.</param>
public sealed record UnusualRecord(int Index, bool Ood, double Score, double PValue, IReadOnlyList<string> FiredLayers, VerdictExplanation? Explanation, RecordImage? Image);

/// <summary>A record's values laid out as an image, channel-major ([C,H,W], C = 1 or 3).</summary>
public sealed record RecordImage(int Channels, int Height, int Width, float[] Pixels)
{
    /// <summary>The record as an image when its shape is [H,W], [1,H,W] or [3,H,W]; null otherwise.</summary>
    public static RecordImage? From(ReadOnlySpan<float> record, IReadOnlyList<int> shape)
    {
        return shape.Count switch
        {
            2 when shape[0] > 1 && shape[1] > 1 => new RecordImage(1, shape[0], shape[1], record.ToArray()),
            3 when shape[0] is 1 or 3 && shape[1] > 1 && shape[2] > 1 => new RecordImage(shape[0], shape[1], shape[2], record.ToArray()),
            _ => null,
        };
    }
}
