using System.Diagnostics;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.TestData;

namespace NeuralFP.Benchmarks;

/// <summary>
/// What <c>?explain=true</c> costs: records per second of plain fingerprint verdicts against verdicts plus explanations
/// (deciding layer, top-10 input features, 28x28 heatmap) on Fashion-MNIST test images, batches of 256, for a CNN
/// fingerprint that has the input layer (default autoencoder size, 5,000 reference records).
/// </summary>
public static class ExplainBenchmark
{
    public static Task RunAsync(TextWriter output)
    {
        var model = File.ReadAllBytes(RepoPaths.Model("fmnist_cnn.onnx"));
        var options = new FingerprintOptions { Layers = ["input", "/1/Relu_output_0", "/4/Relu_output_0", "/8/Relu_output_0", "logits"], Seed = 42, Autoencoder = new AutoencoderOptions() };
        var fingerprint = FingerprintBuilder.Build(model, FashionMnist.Train().Take(5000).Images, options, progress: null, CancellationToken.None).Fingerprint;
        using var scorer = new FingerprintScorer(fingerprint);
        const int batch = 256, batches = 20, rounds = 3;
        var records = Enumerable.Range(0, batches).Select(b => FashionMnist.Test().Select(Enumerable.Range(b * batch, batch)).Images).ToArray();
        // Warm-up, including the explanation session's creation (paid once per loaded fingerprint).
        var warm = Stopwatch.StartNew();
        scorer.Explainer.Explain(records[0], scorer.Score(records[0]));
        var firstExplain = warm.Elapsed;

        double Rate(Action<int> run)
        {
            var best = double.MaxValue;
            for (var round = 0; round < rounds; round++)
            {
                var watch = Stopwatch.StartNew();
                for (var b = 0; b < batches; b++) run(b);
                best = Math.Min(best, watch.Elapsed.TotalSeconds);
            }
            return batch * batches / best;
        }

        var plain = Rate(b => scorer.Score(records[b]));
        var explained = Rate(b => scorer.Explainer.Explain(records[b], scorer.Score(records[b])));
        output.WriteLine($"CNN fingerprint with the input layer (5 layers), batches of {batch}, best of {rounds} rounds of {batches} batches, {Environment.ProcessorCount} threads:");
        output.WriteLine();
        output.WriteLine("| path | records/s | µs per record |");
        output.WriteLine("|---|---:|---:|");
        output.WriteLine($"| verdicts (default) | {plain:N0} | {1e6 / plain:F1} |");
        output.WriteLine($"| verdicts + explanations (top 10, heatmap) | {explained:N0} | {1e6 / explained:F1} |");
        output.WriteLine();
        output.WriteLine($"Explanation overhead: {1e6 / explained - 1e6 / plain:F1} µs per record ({plain / explained:F2}× the time); first explained batch, including building the explanation session: {firstExplain.TotalMilliseconds:F0} ms.");
        return Task.CompletedTask;
    }
}
