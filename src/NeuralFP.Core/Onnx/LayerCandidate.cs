namespace NeuralFP.Core.Onnx;

/// <summary>
/// What an intermediate tensor is, for the purpose of choosing fingerprint layers: the graph input,
/// the activation after a Conv/Gemm/MatMul block, the features the classifier head reads, the logits
/// (the pre-softmax tensor when the model ends in Softmax), a sequence of states [T, H] pooled over time (a recurrent
/// layer's hidden states, a transformer block's token states), or anything else.
/// </summary>
public enum LayerRole { Input, Hidden, Penultimate, Logits, Other, Sequence }

/// <summary>A tensor of the graph that can be tapped.</summary>
/// <param name="Name">Tensor name in the graph.</param>
/// <param name="OpType">Op that produces it ("Input" for the graph input).</param>
/// <param name="Shape">
/// Record shape without the batch dimension, as ONNX Runtime produces it (learnt from one run on zero
/// records); <see cref="OnnxModel.Layers"/> lists only tensors whose shape is known, so it is set there.
/// </param>
public sealed record LayerCandidate(string Name, string OpType, int[]? Shape, LayerRole Role);
