namespace NeuralFP.Core.Onnx;

/// <summary>The ONNX model cannot be used; the message says why and what to change.</summary>
public sealed class OnnxModelException(string message, Exception? inner = null) : Exception(message, inner);
