using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;

namespace NeuralFP.Core.Onnx;

/// <summary>One layer's part of the scorer graph: tap → pool → standardise → autoencoder → error output.</summary>
public sealed record FusedLayer(
    string TensorName,
    int[] TapShape,
    PoolingSpec Pooling,
    float[] Mean,
    float[] Scale,
    IReadOnlyList<DenseLayer> Autoencoder,
    string ErrorOutputName);
