using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Matching;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;
using System.Numerics.Tensors;

namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// Scores records with a fingerprint's fused scorer graph: one ONNX Runtime run per chunk gives
/// the model's prediction and every layer's reconstruction error. Thread-safe.
/// </summary>
public sealed class FingerprintScorer : IDisposable
{
    /// <summary>Records per ONNX Runtime run; bounds the memory of one run for large batches.</summary>
    public const int MaxRecordsPerRun = 1024;

    private readonly InferenceSession _session;
    private readonly string[] _outputNames;
    private readonly OneOutRule _rule;

    public FingerprintScorer(Fingerprint fingerprint, SessionOptions? sessionOptions = null)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        Fingerprint = fingerprint;
        var manifest = fingerprint.Manifest;
        _rule = manifest.Rule;
        _outputNames = [manifest.ModelOutputs[0], .. manifest.Layers.Select(l => l.ErrorOutput)];
        if (sessionOptions is null)
        {
            using var defaults = CreateSessionOptions();
            _session = new InferenceSession(fingerprint.ScorerOnnx, defaults);
        }
        else
        {
            _session = new InferenceSession(fingerprint.ScorerOnnx, sessionOptions);
        }
    }

    /// <summary>Session options used when none are given: all graph optimisations, one intra-op thread per core.</summary>
    public static SessionOptions CreateSessionOptions() => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        IntraOpNumThreads = Environment.ProcessorCount,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
    };

    public Fingerprint Fingerprint { get; }

    /// <summary>The record shape the model accepts.</summary>
    public int[] InputShape => Fingerprint.Manifest.InputShape;

    public int LayerCount => _outputNames.Length - 1;

    /// <exception cref="InvalidRecordsException">Wrong shape, empty, or non-finite.</exception>
    public IReadOnlyList<Verdict> Score(FloatTensor records, CancellationToken cancellationToken = default)
    {
        records = RecordValidator.Validate(records, InputShape);
        var n = records.Records;
        var errors = new float[n * LayerCount];
        var predicted = new int[n];
        var probabilities = new float[n];
        ComputeErrors(records, errors, predicted, probabilities, cancellationToken);
        var verdicts = new Verdict[n];
        for (var r = 0; r < n; r++)
            verdicts[r] = _rule.Evaluate(errors.AsSpan(r * LayerCount, LayerCount), predicted[r], probabilities[r]);
        return verdicts;
    }

    /// <summary>
    /// Bulk scoring without per-record objects: OOD flags, scores (higher = more OOD) and,
    /// when <paramref name="maxProbabilities"/> is not empty, the model's max softmax probability.
    /// </summary>
    public void ScoreInto(FloatTensor records, Span<bool> ood, Span<double> scores, Span<float> maxProbabilities = default, CancellationToken cancellationToken = default)
    {
        records = RecordValidator.Validate(records, InputShape);
        var n = records.Records;
        if (ood.Length < n || scores.Length < n)
            throw new ArgumentException($"Destination spans hold {Math.Min(ood.Length, scores.Length)} records; {n} are needed.");
        var errors = new float[n * LayerCount];
        ComputeErrors(records, errors, default, maxProbabilities.IsEmpty ? default : maxProbabilities[..n], cancellationToken);
        for (var r = 0; r < n; r++)
        {
            var recordErrors = errors.AsSpan(r * LayerCount, LayerCount);
            ood[r] = _rule.IsOod(recordErrors);
            scores[r] = _rule.Score(recordErrors);
        }
    }

    /// <summary>Match score of a batch against this fingerprint (see <see cref="ModelMatcher"/>).</summary>
    public MatchResult Match(string modelId, FloatTensor records, CancellationToken cancellationToken = default)
    {
        records = RecordValidator.Validate(records, InputShape);
        var n = records.Records;
        var errors = new float[n * LayerCount];
        ComputeErrors(records, errors, default, default, cancellationToken);
        var byLayer = new float[LayerCount][];
        for (var l = 0; l < LayerCount; l++)
        {
            byLayer[l] = new float[n];
            for (var r = 0; r < n; r++) byLayer[l][r] = errors[r * LayerCount + l];
        }
        return ModelMatcher.Score(modelId, _rule, byLayer);
    }

    /// <summary>
    /// Runs the fused graph over already-validated records. <paramref name="errors"/> receives
    /// [record, layer] errors; the prediction spans may be empty to skip them.
    /// </summary>
    internal void ComputeErrors(FloatTensor records, Span<float> errors, Span<int> predictedClasses, Span<float> maxProbabilities, CancellationToken cancellationToken = default)
    {
        var n = records.Records;
        var recordLength = records.RecordLength;
        long[] shape = [0, .. InputShape.Select(d => (long)d)];
        var inputNames = new[] { Fingerprint.Manifest.InputName };
        for (var start = 0; start < n; start += MaxRecordsPerRun)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(MaxRecordsPerRun, n - start);
            shape[0] = count;
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, records.Data.AsMemory(start * recordLength, count * recordLength), shape);
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, inputNames, [input], _outputNames);
            if (!predictedClasses.IsEmpty || !maxProbabilities.IsEmpty)
                ReadPredictions(outputs[0].GetTensorDataAsSpan<float>(), count, predictedClasses.IsEmpty ? default : predictedClasses.Slice(start, count), maxProbabilities.IsEmpty ? default : maxProbabilities.Slice(start, count));
            for (var l = 0; l < LayerCount; l++)
            {
                var layerErrors = outputs[l + 1].GetTensorDataAsSpan<float>();
                for (var r = 0; r < count; r++) errors[(start + r) * LayerCount + l] = layerErrors[r];
            }
        }
    }

    private void ReadPredictions(ReadOnlySpan<float> outputs, int count, Span<int> predicted, Span<float> maxProbability)
    {
        var classes = outputs.Length / count;
        for (var r = 0; r < count; r++)
        {
            var row = outputs.Slice(r * classes, classes);
            var best = TensorPrimitives.IndexOfMax(row);
            if (!predicted.IsEmpty) predicted[r] = best;
            if (maxProbability.IsEmpty) continue;
            if (Fingerprint.Manifest.OutputIsProbability)
            {
                maxProbability[r] = row[best];
            }
            else
            {
                // softmax(x)_max = 1 / Σ exp(x_i − x_max), without materialising the softmax.
                var max = row[best];
                var sum = 0f;
                foreach (var v in row) sum += MathF.Exp(v - max);
                maxProbability[r] = 1f / sum;
            }
        }
    }

    public void Dispose() => _session.Dispose();
}
