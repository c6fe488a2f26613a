using NeuralFP.Core.Onnx;

namespace NeuralFP.Core.Fingerprints;

/// <summary>What the model's first output is: logits, or probabilities already.</summary>
internal static class ModelHead
{
    public static bool EndsInSoftmax(OnnxModel model)
    {
        var output = model.OutputNames[0];
        return model.Proto.Graph.Node.Any(n => n.Output.Contains(output) && n.OpType == "Softmax");
    }
}
