using System.Diagnostics;
using NeuralFP.Core.Evaluation;
using NeuralFP.Core.Fingerprints;
using NeuralFP.TestData;

namespace NeuralFP.Benchmarks;

/// <summary>
/// The engine issue's bars: build time on 10,000 reference records, realised FPR on the 10,000
/// test images, AUROC per OOD set beside max-softmax, and near-OOD on the class-split model.
/// </summary>
internal static class EngineBenchmark
{
    public static async Task RunAsync(TextWriter output)
    {
        var reference = BenchmarkData.Reference();
        var clock = Stopwatch.StartNew();
        var fingerprint = await FingerprintBuilder.BuildAsync(BenchmarkData.Model("fmnist_cnn.onnx"), reference, new FingerprintOptions(), new Progress<string>(Console.Error.WriteLine));
        var buildSeconds = clock.Elapsed.TotalSeconds;
        output.WriteLine($"Fingerprint of fmnist_cnn.onnx on {reference.Records} reference records: {buildSeconds:F1} s end to end ({fingerprint.Manifest.Layers.Count} layers: {string.Join(", ", fingerprint.Manifest.Layers.Select(l => $"{l.Name}[{l.Features}]"))}).");
        using (var scorer = new FingerprintScorer(fingerprint))
        {
            EvaluationMarkdown.Write(output, FingerprintEvaluator.Evaluate(scorer, BenchmarkData.TestSet(), BenchmarkData.FarOodSets()));
        }

        output.WriteLine();
        output.WriteLine("Near-OOD: fmnist_0to4_cnn.onnx fingerprinted on training classes 0-4; in-distribution = test classes 0-4, OOD = test classes 5-9.");
        var lowClasses = FashionMnist.Train().WhereClass(0, 4);
        var nearReference = lowClasses.Take(Math.Min(BenchmarkData.ReferenceRecords, lowClasses.Count)).Images;
        var near = await FingerprintBuilder.BuildAsync(BenchmarkData.Model("fmnist_0to4_cnn.onnx"), nearReference, new FingerprintOptions());
        using (var scorer = new FingerprintScorer(near))
        {
            var test = FashionMnist.Test();
            EvaluationMarkdown.Write(output, FingerprintEvaluator.Evaluate(scorer,
                new LabelledSet("f-mnist test 0-4", test.WhereClass(0, 4).Images),
                [new LabelledSet("f-mnist test 5-9 (near-OOD)", test.WhereClass(5, 9).Images)]));
        }
    }
}
