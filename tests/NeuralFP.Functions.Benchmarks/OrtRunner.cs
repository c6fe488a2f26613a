using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Functions.Benchmarks;

/// <summary>One ONNX Runtime session run over records as they are, asking for the given outputs (the bare model's, or the fused scorer's).</summary>
internal sealed class OrtRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly long[] _recordShape;

    public OrtRunner(byte[] onnx, SessionOptions options, string? inputName = null, IReadOnlyList<string>? outputs = null)
    {
        _session = new InferenceSession(onnx, options);
        _inputNames = [inputName ?? _session.InputMetadata.Keys.First()];
        _outputNames = [.. outputs ?? _session.OutputMetadata.Keys];
        _recordShape = [.. _session.InputMetadata[_inputNames[0]].Dimensions.Skip(1).Select(d => (long)d)];
    }

    /// <summary>The bare model with the scorer's own session options.</summary>
    public static OrtRunner Bare(byte[] model, SessionOptions? options = null)
    {
        using var defaults = FingerprintScorer.CreateSessionOptions();
        return new OrtRunner(model, options ?? defaults);
    }

    /// <summary>The fused scorer graph asking for what plain scoring asks for: the model's output and every layer's error.</summary>
    public static OrtRunner Fused(Fingerprint fingerprint, SessionOptions? options = null)
    {
        var manifest = fingerprint.Manifest;
        using var defaults = FingerprintScorer.CreateSessionOptions();
        return new OrtRunner(fingerprint.ScorerOnnx, options ?? defaults, manifest.InputName, [manifest.ModelOutputs[0], .. manifest.Layers.Select(l => l.ErrorOutput)]);
    }

    public void Run(FloatTensor records, int start, int count)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
            records.Data.AsMemory(start * records.RecordLength, count * records.RecordLength), [count, .. _recordShape]);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, _inputNames, [input], _outputNames);
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>Throughput and latency of contenders over the same work, called in turn.</summary>
internal static class Timing
{
    /// <summary>
    /// Each contender's records per second and median milliseconds per call over <paramref name="calls"/> calls of
    /// <paramref name="batch"/> records, the contenders called in turn on the same records (A B C A B C …).
    /// </summary>
    public static (double RecordsPerSecond, double P50Ms)[] Interleaved(IReadOnlyList<Action<int, int>> contenders, FloatTensor records, int batch, int calls)
        => InBlocks(contenders, records, batch, calls, block: 1);

    /// <summary>
    /// The same as <see cref="Interleaved"/>, but each contender makes <paramref name="block"/> calls in a row before the
    /// next one's turn (A×n B×n C×n A×n …): at batch 1 a call's cost is mostly reading the graph's weights, and in turn
    /// call by call every contender starts in caches the others have just filled with their own copies of the model.
    /// </summary>
    public static (double RecordsPerSecond, double P50Ms)[] InBlocks(IReadOnlyList<Action<int, int>> contenders, FloatTensor records, int batch, int calls, int block)
    {
        var times = contenders.Select(_ => new double[calls]).ToArray();
        for (var first = 0; first < calls; first += block)
        {
            for (var c = 0; c < contenders.Count; c++)
            {
                for (var i = first; i < Math.Min(calls, first + block); i++)
                {
                    var start = i * batch % (records.Records - batch + 1);
                    var began = Stopwatch.GetTimestamp();
                    contenders[c](start, batch);
                    times[c][i] = Stopwatch.GetElapsedTime(began).TotalMilliseconds;
                }
            }
        }
        return [.. times.Select(t => (calls * batch / (t.Sum() / 1000), Median(t)))];
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
