using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Functions.Benchmarks;

/// <summary>
/// <c>bare-process --model m.onnx --records r.npy --out o.txt</c>: what a whole process needs to run the bare model
/// over a .npy, the baseline of <c>nfp score</c>: the file read in chunks of 1,024 records, run as <c>nfp score</c> runs
/// them (runs of 256 records, one per core at a time, on a single-threaded session; <c>--pooled</c>: one run per chunk on
/// the scorer's pooled session options), each record's class and probability written out.
/// </summary>
internal static class BareProcess
{
    public static int Run(string[] args)
    {
        string Value(string name) => args[Array.IndexOf(args, name) + 1];
        var source = RecordSource.FromNpy(() => File.OpenRead(Value("--records")));
        // As `nfp score` runs (InlineSmallBatches.OneStream): each chunk as runs of up to 256 records on a single-threaded session,
        // one per core at a time; `--pooled` runs each chunk at once on the pooled session instead.
        var pooled = args.Contains("--pooled");
        using var options = pooled ? FingerprintScorer.CreateSessionOptions() : FingerprintScorer.CreateSingleThreadSessionOptions();
        using var session = new InferenceSession(File.ReadAllBytes(Value("--model")), options);
        string[] inputs = [session.InputMetadata.Keys.First()];
        string[] outputs = [session.OutputMetadata.Keys.First()];
        using var runOptions = new RunOptions();
        using var writer = new StreamWriter(Value("--out"));
        foreach (var chunk in source.ReusedBatches(1024)) // as nfp score reads: one buffer for every chunk
        {
            var runRecords = pooled ? chunk.Records : InlineSmallBatches.SplitRunRecords;
            var runs = (chunk.Records + runRecords - 1) / runRecords;
            var results = new IDisposableReadOnlyCollection<OrtValue>[runs];
            Parallel.For(0, runs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, run =>
            {
                var start = run * runRecords;
                var count = Math.Min(runRecords, chunk.Records - start);
                using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, chunk.Data.AsMemory(start * chunk.RecordLength, count * chunk.RecordLength), [count, .. chunk.RecordShape.Select(d => (long)d)]);
                results[run] = session.Run(runOptions, inputs, [input], outputs);
            });
            foreach (var result in results)
                using (result)
                {
                    var logits = result[0].GetTensorDataAsSpan<float>();
                    var classes = logits.Length / (int)result[0].GetTensorTypeAndShape().Shape[0];
                    for (var r = 0; r < logits.Length / classes; r++)
                    {
                        var row = logits.Slice(r * classes, classes);
                        var best = TensorPrimitives.IndexOfMax(row);
                        writer.Write(best);
                        writer.Write(',');
                        writer.WriteLine(row[best]);
                    }
                }
        }
        return 0;
    }
}
