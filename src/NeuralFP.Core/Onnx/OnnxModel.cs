using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Core.Onnx;

/// <summary>A validated ONNX classifier: one float tensor input, no external data.</summary>
public sealed class OnnxModel
{
    private OnnxModel() => throw new NotImplementedException();

    /// <exception cref="OnnxModelException">Not ONNX, external data, or not exactly one tensor input.</exception>
    public static OnnxModel Load(ReadOnlyMemory<byte> bytes) => throw new NotImplementedException();

    /// <summary>Lower-case hex SHA-256 of the file bytes.</summary>
    public string Sha256 => throw new NotImplementedException();

    public string InputName => throw new NotImplementedException();

    /// <summary>Record shape of the input (batch dimension removed).</summary>
    public int[] InputShape => throw new NotImplementedException();

    /// <summary>Graph outputs of the original model; the first is taken as the logits/probabilities.</summary>
    public IReadOnlyList<string> OutputNames => throw new NotImplementedException();

    /// <summary>Every tappable tensor: the input, node outputs of float type.</summary>
    public IReadOnlyList<LayerCandidate> Layers => throw new NotImplementedException();

    /// <summary>The "auto" choice: input, activation after each Conv/Gemm/MatMul block, penultimate features, logits.</summary>
    public IReadOnlyList<string> AutoLayers() => throw new NotImplementedException();

    /// <summary>The model with the given tensors added as graph outputs and a dynamic batch dimension.</summary>
    public byte[] WithTaps(IReadOnlyList<string> tensorNames) => throw new NotImplementedException();

    internal ModelProto Proto => throw new NotImplementedException();
}
