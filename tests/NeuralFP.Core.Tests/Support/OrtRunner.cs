using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Support;

/// <summary>Runs ONNX bytes in plain ONNX Runtime, independently of the code under test.</summary>
internal static class OrtRunner
{
    public sealed record Output(string Name, float[] Data, long[] Shape);

    public static IReadOnlyList<Output> Run(byte[] model, FloatTensor input)
    {
        using var session = new InferenceSession(model);
        var inputName = session.InputNames.Single();
        using var value = OrtValue.CreateTensorValueFromMemory(input.Data, [.. input.Shape.Select(d => (long)d)]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [inputName], [value], session.OutputNames);
        return [.. session.OutputNames.Zip(results, (name, v) => new Output(name, v.GetTensorDataAsSpan<float>().ToArray(), v.GetTensorTypeAndShape().Shape))];
    }

    public static IReadOnlyList<string> OutputNames(byte[] model)
    {
        using var session = new InferenceSession(model);
        return [.. session.OutputNames];
    }
}
