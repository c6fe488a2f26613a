using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Functions.Benchmarks;

/// <summary>
/// <c>bare-process --model m.onnx --records r.npy --out o.txt</c>: what a whole process needs to run the bare model
/// over a .npy, the baseline of <c>nfp score</c>: the file read in chunks of 1,024 records, one ONNX Runtime run per
/// chunk (the scorer's session options), each record's class and probability written out.
/// </summary>
internal static class BareProcess
{
    public static int Run(string[] args)
    {
        string Value(string name) => args[Array.IndexOf(args, name) + 1];
        var source = RecordSource.FromNpy(() => File.OpenRead(Value("--records")));
        using var options = FingerprintScorer.CreateSessionOptions();
        using var session = new InferenceSession(File.ReadAllBytes(Value("--model")), options);
        string[] inputs = [session.InputMetadata.Keys.First()];
        string[] outputs = [session.OutputMetadata.Keys.First()];
        using var writer = new StreamWriter(Value("--out"));
        foreach (var chunk in source.ReusedBatches(1024)) // as nfp score reads: one buffer for every chunk
        {
            using var input = OrtValue.CreateTensorValueFromMemory(chunk.Data, [.. chunk.Shape.Select(d => (long)d)]);
            using var runOptions = new RunOptions();
            using var result = session.Run(runOptions, inputs, [input], outputs);
            var logits = result[0].GetTensorDataAsSpan<float>();
            var classes = logits.Length / chunk.Records;
            for (var r = 0; r < chunk.Records; r++)
            {
                var row = logits.Slice(r * classes, classes);
                var best = TensorPrimitives.IndexOfMax(row);
                writer.Write(best);
                writer.Write(',');
                writer.WriteLine(row[best]);
            }
        }
        return 0;
    }
}
