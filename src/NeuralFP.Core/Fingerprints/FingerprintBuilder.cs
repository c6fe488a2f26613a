using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Fingerprints;

public static class FingerprintBuilder
{
    /// <exception cref="Onnx.OnnxModelException">The model cannot be fingerprinted.</exception>
    /// <exception cref="InvalidRecordsException">The reference does not fit the model's input.</exception>
    public static Task<Fingerprint> BuildAsync(ReadOnlyMemory<byte> modelOnnx, FloatTensor reference, FingerprintOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();
}
