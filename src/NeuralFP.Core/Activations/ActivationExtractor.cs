using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Activations;

/// <summary>Runs a model with taps through ONNX Runtime and returns pooled per-layer features.</summary>
public sealed class ActivationExtractor : IDisposable
{
    public ActivationExtractor(OnnxModel model, IReadOnlyList<LayerSpec> layers) => throw new NotImplementedException();

    /// <summary>Record shapes of the tapped tensors (without batch), known after construction.</summary>
    public IReadOnlyList<int[]> TapShapes => throw new NotImplementedException();

    public ActivationSet Extract(FloatTensor records, int batchSize = 256, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
