using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;

namespace NeuralFP.Core.Onnx;

/// <summary>One layer's part of the scorer graph: tap → pool → standardise → autoencoder → error output (and, when
/// <see cref="Latent"/> is set, the latent code's distance as a second output).</summary>
public sealed record FusedLayer(
    string TensorName,
    int[] TapShape,
    PoolingSpec Pooling,
    float[] Mean,
    float[] Scale,
    IReadOnlyList<DenseLayer> Autoencoder,
    string ErrorOutputName)
{
    /// <summary>The distance of the autoencoder's latent code from the training records' codes; null = no second output.</summary>
    public LatentDistance? Latent { get; init; }

    /// <summary>The [N] output of <see cref="Latent"/>'s distance (required when it is set).</summary>
    public string? LatentOutputName { get; init; }
}
