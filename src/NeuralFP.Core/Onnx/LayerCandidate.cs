namespace NeuralFP.Core.Onnx;

/// <summary>What an intermediate tensor is, for the purpose of choosing fingerprint layers.</summary>
public enum LayerRole { Input, Hidden, Penultimate, Logits, Other }

/// <summary>A tensor of the graph that can be tapped.</summary>
/// <param name="Name">Tensor name in the graph.</param>
/// <param name="OpType">Op that produces it ("Input" for the graph input).</param>
/// <param name="Shape">Record shape without the batch dimension where the graph declares it, else null.</param>
public sealed record LayerCandidate(string Name, string OpType, int[]? Shape, LayerRole Role);
