using NeuralFP.Core.Activations;
using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Explanations;

/// <summary>
/// Explains verdicts: the deciding layer, and the input features behind the input layer's reconstruction error. The
/// per-feature errors come from a second, small ONNX Runtime session holding only the input layer's standardisation and
/// autoencoder (cut from scorer.onnx), created on first use: scoring without explanations never pays for it. Thread-safe.
/// </summary>
public sealed class FingerprintExplainer : IDisposable
{
    public const int DefaultTopK = 10;
    public const int MaxTopK = 1000;

    private readonly Fingerprint _fingerprint;
    private readonly FingerprintLayer? _inputLayer;
    private readonly int[] _inputShape;
    private readonly string? _unavailable;
    private readonly Lazy<InferenceSession>? _session;
    /// <summary>The regional error's grid and layout when the fingerprint reads that statistic.</summary>
    private readonly (int Grid, (int Planes, int Height, int Width) Layout)? _regions;

    public FingerprintExplainer(Fingerprint fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        _fingerprint = fingerprint;
        var manifest = fingerprint.Manifest;
        _inputShape = manifest.InputShape;
        _inputLayer = manifest.Layers.FirstOrDefault(l => l.Name == manifest.InputName);
        var inputFeatures = 1;
        foreach (var d in _inputShape) inputFeatures *= d;
        if (_inputLayer is null)
            _unavailable = $"The fingerprint has no autoencoder on the model input '{manifest.InputName}' (its layers: {string.Join(", ", manifest.Layers.Select(l => l.Name))}), " +
                           $"so no per-feature errors; rebuild it with the input among its layers (fingerprint.json: \"layers\" naming '{manifest.InputName}') to get them.";
        else if (_inputLayer.Features != inputFeatures)
            _unavailable = $"The input layer is pooled ({_inputLayer.Pooling}: {_inputLayer.Features} features for {inputFeatures} input values), so its errors are not per input feature.";
        if (manifest.InputRegionalErrorOutput is not null && InputRegionalError.Layout(_inputShape, manifest.Options.InputRegionalGrid) is { } layout)
            _regions = (manifest.Options.InputRegionalGrid, layout);
        if (_unavailable is null)
            _session = new Lazy<InferenceSession>(() =>
            {
                var graph = InputErrorGraph.Build(fingerprint.ScorerOnnx, _inputLayer!.ErrorOutput, _inputLayer.Features, manifest.InputMarginalsOutput);
                // Its own options: the scorer's may be disposed by the time the first explanation is asked for.
                using var options = FingerprintScorer.CreateSessionOptions();
                return new InferenceSession(graph, options);
            }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Whether per-feature input explanations are available (else <see cref="VerdictExplanation.InputUnavailableReason"/> says why).</summary>
    public bool HasInputFeatures => _session is not null;

    /// <summary>One explanation per record, for the verdicts the fingerprint gave these records.</summary>
    /// <exception cref="InvalidRecordsException">Wrong shape, empty, or non-finite.</exception>
    public IReadOnlyList<VerdictExplanation> Explain(FloatTensor records, IReadOnlyList<Verdict> verdicts, int topK = DefaultTopK, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        if (topK < 1 || topK > MaxTopK)
            throw new ArgumentOutOfRangeException(nameof(topK), topK, $"top-k must be between 1 and {MaxTopK}.");
        records = RecordValidator.Validate(records, _inputShape);
        if (verdicts.Count != records.Records)
            throw new ArgumentException($"{verdicts.Count} verdicts for {records.Records} records.", nameof(verdicts));
        var (squared, surprise) = _session is null ? (null, null) : PerFeature(records, cancellationToken);
        var explanations = new VerdictExplanation[records.Records];
        var features = _inputLayer?.Features ?? 0;
        for (var r = 0; r < explanations.Length; r++)
        {
            var deciding = DecidingLayer.Strongest(verdicts[r]);
            var input = squared is null ? null : ExplainInput(records.Record(r), squared.AsSpan(r * features, features),
                surprise is null ? default : surprise.AsSpan(r * features, features), Math.Min(topK, features));
            explanations[r] = new VerdictExplanation(deciding.Layer, deciding.Fired, deciding.PValue, input, _unavailable);
        }
        return explanations;
    }

    /// <summary>Each record's squared residuals of the input layer and, for a table that reads it, each column's surprise.</summary>
    private (float[] Squared, float[]? Surprise) PerFeature(FloatTensor records, CancellationToken cancellationToken)
    {
        var session = _session!.Value;
        var features = _inputLayer!.Features;
        var result = new float[records.Records * features];
        var surprise = _fingerprint.Manifest.InputMarginalsOutput is null ? null : new float[records.Records * features];
        string[] outputNames = surprise is null ? [InputErrorGraph.OutputName] : [InputErrorGraph.OutputName, InputErrorGraph.ColumnSurpriseOutput];
        long[] shape = [0, .. _inputShape.Select(d => (long)d)];
        var recordLength = records.RecordLength;
        const int chunk = 1024;
        for (var start = 0; start < records.Records; start += chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(chunk, records.Records - start);
            shape[0] = count;
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, records.Data.AsMemory(start * recordLength, count * recordLength), shape);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, [_fingerprint.Manifest.InputName], [input], outputNames);
            outputs[0].GetTensorDataAsSpan<float>().CopyTo(result.AsSpan(start * features, count * features));
            if (surprise is not null) outputs[1].GetTensorDataAsSpan<float>().CopyTo(surprise.AsSpan(start * features, count * features));
        }
        return (result, surprise);
    }

    private InputExplanation ExplainInput(ReadOnlySpan<float> record, ReadOnlySpan<float> squared, ReadOnlySpan<float> surprise, int topK)
    {
        var d = squared.Length;
        double error = 0;
        foreach (var s in squared) error += s;
        error /= d;
        var indices = Largest(squared, topK);
        var top = new FeatureContribution[indices.Length];
        for (var k = 0; k < top.Length; k++)
        {
            var i = indices[k];
            var contribution = (double)squared[i] / d;
            top[k] = new FeatureContribution(i, Position(i), record[i], contribution, error > 0 ? contribution / error : 0);
        }
        ColumnSurprise[]? columns = null;
        if (!surprise.IsEmpty)
        {
            var surprising = Largest(surprise, topK);
            columns = new ColumnSurprise[surprising.Length];
            for (var k = 0; k < columns.Length; k++)
            {
                var i = surprising[k];
                columns[k] = new ColumnSurprise(i, record[i], surprise[i], Math.Exp(-surprise[i]));
            }
        }
        return new InputExplanation(_inputLayer!.Name, error, top, Heatmap(squared), LargestRegion(squared, error), columns);
    }

    /// <summary>The indices of the <paramref name="k"/> largest values, largest first (a partial selection: a min-heap of k indices).</summary>
    private static int[] Largest(ReadOnlySpan<float> values, int k)
    {
        var heap = new PriorityQueue<int, float>(k);
        for (var i = 0; i < values.Length; i++)
        {
            if (heap.Count < k) heap.Enqueue(i, values[i]);
            else if (values[i] > values[heap.Peek()]) heap.EnqueueDequeue(i, values[i]);
        }
        var top = new int[heap.Count];
        for (var j = top.Length - 1; j >= 0; j--) top[j] = heap.Dequeue();
        return top;
    }

    /// <summary>The cell of the regional error's grid with the largest mean (z − ẑ)²; <paramref name="squared"/> holds (z − ẑ)².</summary>
    private InputRegion? LargestRegion(ReadOnlySpan<float> squared, double error)
    {
        if (_regions is not { } regions) return null;
        var (plane, rowStart, rowEnd, columnStart, columnEnd, mean) = InputRegionalError.Largest(squared, regions.Layout, regions.Grid);
        var share = mean * (rowEnd - rowStart) * (columnEnd - columnStart) / squared.Length;
        return new InputRegion(plane, [rowStart, rowEnd], [columnStart, columnEnd], mean, error > 0 ? share / error : 0);
    }

    private int[] Position(int index)
    {
        var position = new int[_inputShape.Length];
        for (var a = position.Length - 1; a >= 0; a--)
        {
            position[a] = index % _inputShape[a];
            index /= _inputShape[a];
        }
        return position;
    }

    /// <summary>[H][W] contributions summed over leading axes, for inputs whose last two axes are an image; else null.</summary>
    private float[][]? Heatmap(ReadOnlySpan<float> squared)
    {
        if (_inputShape.Length is < 2 or > 3 || _inputShape[^1] < 2 || _inputShape[^2] < 2) return null;
        int h = _inputShape[^2], w = _inputShape[^1], d = squared.Length;
        var map = new float[h][];
        for (var y = 0; y < h; y++) map[y] = new float[w];
        for (var i = 0; i < d; i++)
        {
            var pixel = i % (h * w);
            map[pixel / w][pixel % w] += squared[i] / d;
        }
        return map;
    }

    public void Dispose()
    {
        if (_session is { IsValueCreated: true }) _session.Value.Dispose();
    }
}
