using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Benchmarks;

/// <summary>
/// Fused-scorer throughput against the bare model's, in one run, on the same batches (256, or each size in
/// NFP_THROUGHPUT_BATCHES=32,64,256) with the same session options, and the whole <c>Score</c> path.
/// NFP_THROUGHPUT_INTERLEAVED=1 adds the three called in turn batch by batch; NFP_THROUGHPUT_FINGERPRINT=dir scores with
/// a fingerprint folder instead of one built here.
/// </summary>
internal static class ThroughputBenchmark
{
    private const int Rounds = 5;

    public static async Task RunAsync(TextWriter output)
    {
        var modelBytes = BenchmarkData.Model("fmnist_cnn.onnx");
        // NFP_THROUGHPUT_FINGERPRINT=dir: a fingerprint folder written by `nfp fingerprint` instead of one built here.
        var fingerprint = Environment.GetEnvironmentVariable("NFP_THROUGHPUT_FINGERPRINT") is { Length: > 0 } folder
            ? await Fingerprint.LoadAsync(folder)
            : await FingerprintBuilder.BuildAsync(modelBytes, BenchmarkData.Reference(), new FingerprintOptions());
        // The same fingerprint without the latent statistic: what the latent distances cost.
        var errorsOnly = await FingerprintBuilder.BuildAsync(modelBytes, BenchmarkData.Reference(), new FingerprintOptions { LatentStatistic = false });
        var records = FashionMnist.Test().Images;

        using var options = FingerprintScorer.CreateSessionOptions();
        using var bare = new InferenceSession(modelBytes, options);
        using var fused = new FingerprintScorer(fingerprint);
        using var fusedErrorsOnly = new FingerprintScorer(errorsOnly);
        // The same fingerprint with large batches split into one run per core on the single-threaded session.
        using var split = new FingerprintScorer(fingerprint, inlineSmallBatches: InlineSmallBatches.Default with { LargeBatchRuns = Environment.ProcessorCount });
        var sizes = Environment.GetEnvironmentVariable("NFP_THROUGHPUT_BATCHES")?.Split(',').Select(int.Parse).ToArray() ?? [256];
        var errors = new float[sizes.Max() * fused.StatisticCount];

        double BareRun(FloatTensor batch)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batch.Data.AsMemory(), [batch.Records, 1, 28, 28]);
            using var runOptions = new RunOptions();
            using var result = bare.Run(runOptions, [fingerprint.Manifest.InputName], [input], bare.OutputNames);
            return result[0].GetTensorDataAsSpan<float>()[0];
        }
        double FusedRun(FloatTensor batch)
        {
            fused.ComputeErrors(batch, errors, default, default);
            return errors[0];
        }
        double ScoreRun(FloatTensor batch) => fused.Score(batch).Scores[0];
        double SplitScoreRun(FloatTensor batch) => split.Score(batch).Scores[0];
        double ErrorsOnlyRun(FloatTensor batch)
        {
            fusedErrorsOnly.ComputeErrors(batch, errors, default, default);
            return errors[0];
        }

        foreach (var batch in sizes) Report(batch);

        void Report(int batchSize)
        {
            var batches = Enumerable.Range(0, records.Records / batchSize).Select(b => records.Slice(b * batchSize, batchSize)).ToArray();
            var bareRate = new List<double>();
            var fusedRate = new List<double>();
            var errorsOnlyRate = new List<double>();
            var scoreRate = new List<double>();
            Measure(batches, BareRun); Measure(batches, FusedRun); Measure(batches, ErrorsOnlyRun); Measure(batches, ScoreRun); // warm-up
            for (var round = 0; round < Rounds; round++)
            {
                bareRate.Add(Measure(batches, BareRun));
                fusedRate.Add(Measure(batches, FusedRun));
                errorsOnlyRate.Add(Measure(batches, ErrorsOnlyRun));
                scoreRate.Add(Measure(batches, ScoreRun));
            }
            var bareMedian = RunStatistics.Median(bareRate);
            var fusedMedian = RunStatistics.Median(fusedRate);
            var errorsOnlyMedian = RunStatistics.Median(errorsOnlyRate);
            output.WriteLine($"| path | records/s (median of {Rounds} rounds, batches of {batchSize}) |");
            output.WriteLine("|---|---:|");
            output.WriteLine($"| bare model (ONNX Runtime) | {bareMedian:N0} |");
            output.WriteLine($"| fused scorer (model + {fused.LayerCount} autoencoders + errors + {fused.StatisticCount - fused.LayerCount} latent distances) | {fusedMedian:N0} |");
            output.WriteLine($"| fused scorer without the latent distances | {errorsOnlyMedian:N0} |");
            output.WriteLine($"| the whole C# path (`Score`: fused scorer, rule, integration, verdict arrays) | {RunStatistics.Median(scoreRate):N0} |");
            output.WriteLine($"| ratio fused / bare | {fusedMedian / bareMedian:F2} |");
            if (Environment.GetEnvironmentVariable("NFP_THROUGHPUT_INTERLEAVED") == "1")
            {
                // The four called in turn batch by batch (A B C D A B C D …), as `perf` measures them.
                var totals = new double[4];
                Func<FloatTensor, double>[] runs = [BareRun, FusedRun, ScoreRun, SplitScoreRun];
                for (var round = 0; round < Rounds; round++)
                    foreach (var b in batches)
                        for (var c = 0; c < runs.Length; c++)
                        {
                            var began = Stopwatch.GetTimestamp();
                            runs[c](b);
                            totals[c] += Stopwatch.GetElapsedTime(began).TotalSeconds;
                        }
                output.WriteLine($"| interleaved batch by batch: bare / fused / Score / Score in {Environment.ProcessorCount} single-threaded runs | {string.Join(" / ", totals.Select(t => $"{Rounds * batches.Length * batchSize / t:N0}"))} |");
            }
            var perLayer = (1e6 / fusedMedian - 1e6 / errorsOnlyMedian) / Math.Max(1, fused.StatisticCount - fused.LayerCount);
            output.WriteLine($"| latent distance cost per layer (µs per record) | {perLayer:F3} |");
            foreach (var layer in fingerprint.Manifest.Layers.Where(l => l.LatentMeans is not null))
                output.WriteLine($"| — {layer.Name}: latent {Math.Sqrt(layer.LatentWhitening!.Length):F0} units, {layer.LatentMeans!.Length / Math.Sqrt(layer.LatentWhitening.Length):F0} mean(s) (autoencoder {string.Join("-", layer.AutoencoderWidths)}) | |");
            output.WriteLine();
        }
    }

    private static double Measure(FloatTensor[] batches, Func<FloatTensor, double> run)
    {
        var clock = Stopwatch.StartNew();
        var sink = 0.0;
        foreach (var batch in batches) sink += run(batch);
        GC.KeepAlive(sink);
        return batches.Length * batches[0].Records / clock.Elapsed.TotalSeconds;
    }
}
