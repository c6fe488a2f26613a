namespace NeuralFP.Core.Onnx;

/// <summary>
/// The model's last linear layer, logits = penultimate · Weight + Bias, read from the ONNX initializers.
/// </summary>
/// <param name="PenultimateTensor">Graph tensor feeding the layer: the penultimate features [N, Features].</param>
/// <param name="LogitsTensor">Graph tensor the layer produces (differs from <paramref name="OutputName"/> when a Softmax follows).</param>
/// <param name="OutputName">The graph output the search started from.</param>
/// <param name="Weight">[Features, Classes], row-major, with Gemm's alpha and transB already applied.</param>
/// <param name="Bias">[Classes], with Gemm's beta applied; zeros when the layer has none.</param>
public sealed record LinearHead(
    string PenultimateTensor,
    string LogitsTensor,
    string OutputName,
    int Features,
    int Classes,
    float[] Weight,
    float[] Bias);
