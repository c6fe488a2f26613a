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

/// <summary>Throughput and latency of one contender over fixed work, one round at a time.</summary>
internal static class Timing
{
    /// <summary>Records per second over <paramref name="batches"/> batches of <paramref name="batch"/> records.</summary>
    public static double Throughput(Action<int, int> run, FloatTensor records, int batch, int batches)
    {
        var clock = Stopwatch.StartNew();
        for (var b = 0; b < batches; b++) run(b * batch % (records.Records - batch + 1), batch);
        return batches * batch / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Records per second and median milliseconds of <paramref name="calls"/> single-record calls.</summary>
    public static (double RecordsPerSecond, double P50Ms) Single(Action<int, int> run, FloatTensor records, int calls)
    {
        var latencies = new double[calls];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            run(i % records.Records, 1);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        var rate = calls / clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return (rate, latencies[calls / 2]);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
