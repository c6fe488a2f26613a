using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Fingerprints;

/// <summary>What the model's first output is: logits, or probabilities already.</summary>
internal static class ModelHead
{
    public static bool EndsInSoftmax(OnnxModel model)
    {
        var output = model.OutputNames[0];
        return model.Proto.Graph.Node.Any(n => n.Output.Contains(output) && n.OpType == "Softmax");
    }

    /// <summary>
    /// The tensor a trailing Softmax or LogSoftmax reads (the logits), or null when the output is neither. Log-probabilities
    /// keep the class order and the softmax, but not the logits' scale: their log-sum-exp is 0 for every record, so energy
    /// needs the tensor before them.
    /// </summary>
    public static string? PreSoftmaxTensor(OnnxModel model)
    {
        var output = model.OutputNames[0];
        return model.Proto.Graph.Node.FirstOrDefault(n => n.Output.Contains(output) && n.OpType is "Softmax" or "LogSoftmax")?.Input[0];
    }

    /// <summary>
    /// The logits the output-space detectors read: the tapped pre-softmax tensor when there is one, else the model's
    /// output, or its log when that output is a probability vector (log p differs from the logits by a per-record
    /// constant, which softmax-based scores ignore).
    /// </summary>
    public static FloatTensor Logits(FloatTensor modelOutput, FloatTensor? preSoftmax, bool outputIsProbability)
    {
        if (preSoftmax is not null) return preSoftmax;
        if (!outputIsProbability) return modelOutput;
        var log = new float[modelOutput.Data.Length];
        for (var i = 0; i < log.Length; i++) log[i] = MathF.Log(Math.Max(modelOutput.Data[i], 1e-30f));
        return new FloatTensor(log, (int[])modelOutput.Shape.Clone());
    }
}
