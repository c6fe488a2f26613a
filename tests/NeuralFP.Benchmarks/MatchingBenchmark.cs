using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Matching;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Benchmarks;

/// <summary>
/// Model match: three models trained on different data; batches of 64 records drawn from each
/// model's own domain (records the fingerprints never saw); how often the right model ranks first.
/// </summary>
internal static class MatchingBenchmark
{
    private const int Trials = 100;
    private const int BatchSize = 64;

    public static async Task RunAsync(TextWriter output)
    {
        var train = FashionMnist.Train();
        var test = FashionMnist.Test();
        var domains = new (string ModelId, string File, FloatTensor Reference, FloatTensor Unseen)[]
        {
            ("fmnist-0to4", "fmnist_0to4_cnn.onnx", train.WhereClass(0, 4).Take(5000).Images, test.WhereClass(0, 4).Images),
            ("fmnist-5to9", "fmnist_5to9_cnn.onnx", train.WhereClass(5, 9).Take(5000).Images, test.WhereClass(5, 9).Images),
            ("digits", "digits_cnn.onnx", Digits.Training28().Images, Digits.HeldOut28().Images),
        };
        var scorers = new List<(string ModelId, FingerprintScorer Scorer)>();
        foreach (var d in domains)
        {
            var fingerprint = await FingerprintBuilder.BuildAsync(BenchmarkData.Model(d.File), d.Reference, new FingerprintOptions());
            scorers.Add((d.ModelId, new FingerprintScorer(fingerprint)));
        }

        output.WriteLine($"| batch domain | right model first | mean score of right model | mean best other score | ({Trials} trials of {BatchSize} records) |");
        output.WriteLine("|---|---:|---:|---:|---|");
        var random = new Random(2024);
        foreach (var d in domains)
        {
            var first = 0;
            double rightScore = 0, otherScore = 0;
            for (var t = 0; t < Trials; t++)
            {
                var indices = Enumerable.Range(0, BatchSize).Select(_ => random.Next(d.Unseen.Records)).ToArray();
                var batch = d.Unseen.Gather(indices);
                var ranked = ModelMatcher.Rank(scorers.Select(s => s.Scorer.Match(s.ModelId, batch)));
                if (ranked[0].ModelId == d.ModelId) first++;
                rightScore += ranked.Single(r => r.ModelId == d.ModelId).Score;
                otherScore += ranked.Where(r => r.ModelId != d.ModelId).Max(r => r.Score);
            }
            output.WriteLine($"| {d.ModelId} | {first}/{Trials} | {rightScore / Trials:F3} | {otherScore / Trials:F3} | |");
        }
        foreach (var s in scorers) s.Scorer.Dispose();
        output.WriteLine();
    }
}
