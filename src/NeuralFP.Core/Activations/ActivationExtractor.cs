using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Activations;

/// <summary>Runs a model with taps through ONNX Runtime and returns pooled per-layer features. Extract is thread-safe.</summary>
public sealed class ActivationExtractor : IDisposable
{
    private readonly OnnxModel _model;
    private readonly LayerSpec[] _layers;
    private readonly int[][] _tapShapes;
    private readonly int[] _tapLengths;
    private readonly int[] _featureCounts;
    private readonly string[] _outputNames;
    private readonly OrtSession _session;

    /// <param name="layers">Tensors to tap; none gives just the model's outputs.</param>
    /// <exception cref="OnnxModelException">A layer is not a tappable float tensor, or ONNX Runtime rejects the model.</exception>
    public ActivationExtractor(OnnxModel model, IReadOnlyList<LayerSpec> layers)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layers);
        _model = model;
        _layers = [.. layers];
        var names = _layers.Select(l => l.Name).ToArray();
        TapRewriter.RequireTappable(model, names);
        _tapShapes = [.. names.Select(n => model.Layer(n).Shape!)];
        _tapLengths = [.. _tapShapes.Select(s => s.Aggregate(1, (a, b) => checked(a * b)))];
        _featureCounts = [.. _layers.Select((l, i) => l.Pooling.FeatureCount(_tapShapes[i]))];

        var tapped = TapRewriter.WithTaps(model, names);
        _outputNames = [model.OutputNames[0], .. tapped.TapOutputs];
        _session = new OrtSession(tapped.Proto.ToByteArray());
    }

    /// <summary>Record shapes of the tapped tensors (without batch), known after construction.</summary>
    public IReadOnlyList<int[]> TapShapes => _tapShapes;

    /// <summary>Pooled features per layer ([N, D_l]) and the model's first output for every record.</summary>
    /// <exception cref="InvalidRecordsException">The records do not have the model's input shape, or there are none.</exception>
    public ActivationSet Extract(FloatTensor records, int batchSize = 256, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var inputShape = _model.InputShape;
        if (!records.RecordShape.AsSpan().SequenceEqual(inputShape))
            throw new InvalidRecordsException(
                $"Records have shape [{string.Join(",", records.RecordShape)}] but the model takes [{string.Join(",", inputShape)}] per record.");
        if (records.Records == 0) throw new InvalidRecordsException("No records were given; send at least one record.");

        return Extract(RecordSource.FromTensor(records).Batches(batchSize, cancellationToken), records.Records, cancellationToken);
    }

    /// <summary>
    /// As <see cref="Extract(FloatTensor, int, CancellationToken)"/> over batches read one at a time (each of the model's
    /// record shape), so only the pooled features of all <paramref name="records"/> and one batch are held.
    /// </summary>
    /// <exception cref="InvalidRecordsException">A batch has the wrong record shape, or the batches hold other than <paramref name="records"/> records.</exception>
    public ActivationSet Extract(IEnumerable<FloatTensor> batches, int records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (records <= 0) throw new InvalidRecordsException("No records were given; send at least one record.");
        var sink = new WholeSink(records, _featureCounts);
        var outputShape = ExtractInto(batches, records, sink, cancellationToken);
        return new ActivationSet(
            [.. _layers.Select(l => l.Name)],
            [.. sink.Layers.Select((f, l) => new FloatTensor(f, [records, _featureCounts[l]]))],
            new FloatTensor(sink.Outputs!, [records, .. outputShape]));
    }

    /// <summary>Pooled features per record of each tapped layer, in tap order.</summary>
    public IReadOnlyList<int> FeatureCounts => _featureCounts;

    /// <summary>
    /// Runs the batches and pools every record's taps straight into the buffers <paramref name="sink"/> hands out (an
    /// empty span skips that record's layer), so a caller keeps only the records it needs. Returns the record shape of
    /// the model's first output.
    /// </summary>
    /// <exception cref="InvalidRecordsException">A batch has the wrong record shape, or the batches hold other than <paramref name="records"/> records.</exception>
    internal int[] ExtractInto(IEnumerable<FloatTensor> batches, int records, IActivationSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(sink);
        if (records <= 0) throw new InvalidRecordsException("No records were given; send at least one record.");
        var inputShape = _model.InputShape;
        int[]? outputRecordShape = null;
        var outputLength = 0;

        var shape = new long[inputShape.Length + 1];
        for (var d = 0; d < inputShape.Length; d++) shape[d + 1] = inputShape[d];
        var start = 0;
        foreach (var batch in batches)
        {
            if (!batch.RecordShape.AsSpan().SequenceEqual(inputShape))
                throw new InvalidRecordsException(
                    $"Records have shape [{string.Join(",", batch.RecordShape)}] but the model takes [{string.Join(",", inputShape)}] per record.");
            var count = batch.Records;
            if (start + count > records) throw new InvalidRecordsException($"The records hold more than the {records} announced.");
            shape[0] = count;
            // The input wraps the batch's array (pinned, no copy).
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batch.Data.AsMemory(0, count * batch.RecordLength), shape);
            using var results = _session.Run(_model.InputName, input, _outputNames, cancellationToken);

            var output = results[0];
            if (outputRecordShape is null)
            {
                outputRecordShape = RecordShape(output, count, _model.OutputNames[0]);
                outputLength = outputRecordShape.Aggregate(1, (a, b) => checked(a * b));
                sink.Begin(outputLength);
            }
            RequireShape(output, count, outputRecordShape, _model.OutputNames[0]);
            var outputs = output.GetTensorDataAsSpan<float>();
            for (var r = 0; r < count; r++)
            {
                var destination = sink.Output(start + r);
                if (!destination.IsEmpty) outputs.Slice(r * outputLength, outputLength).CopyTo(destination);
            }

            for (var l = 0; l < _layers.Length; l++)
            {
                var tap = results[l + 1];
                RequireShape(tap, count, _tapShapes[l], _layers[l].Name);
                var values = tap.GetTensorDataAsSpan<float>();
                var length = _tapLengths[l];
                for (var r = 0; r < count; r++)
                {
                    var destination = sink.Features(l, start + r);
                    if (!destination.IsEmpty) _layers[l].Pooling.Pool(values.Slice(r * length, length), _tapShapes[l], destination);
                }
            }
            start += count;
        }
        if (start != records) throw new InvalidRecordsException($"The records hold {start} records, not the {records} announced.");
        return outputRecordShape!;
    }

    /// <summary>Keeps every record: [N, D_l] per layer and [N, K] outputs.</summary>
    private sealed class WholeSink(int records, int[] featureCounts) : IActivationSink
    {
        private int _outputLength;

        public float[][] Layers { get; } = [.. featureCounts.Select(d => new float[checked(records * d)])];

        public float[]? Outputs { get; private set; }

        public void Begin(int outputLength)
        {
            _outputLength = outputLength;
            Outputs = new float[checked(records * outputLength)];
        }

        public Span<float> Output(int record) => Outputs.AsSpan(record * _outputLength, _outputLength);

        public Span<float> Features(int layer, int record) => Layers[layer].AsSpan(record * featureCounts[layer], featureCounts[layer]);
    }

    public void Dispose() => _session.Dispose();

    private static int[] RecordShape(OrtValue value, int count, string name)
    {
        var info = value.GetTensorTypeAndShape();
        if (info.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float || info.Shape.Length == 0 || info.Shape[0] != count)
            throw new OnnxModelException(
                $"The model output '{name}' is not a float tensor with one row per record (type {info.ElementDataType}, shape [{string.Join(",", info.Shape)}]).");
        return [.. info.Shape[1..].Select(d => checked((int)d))];
    }

    private static void RequireShape(OrtValue value, int count, int[] recordShape, string name)
    {
        var shape = value.GetTensorTypeAndShape().Shape;
        var ok = shape.Length == recordShape.Length + 1 && shape[0] == count;
        for (var d = 0; ok && d < recordShape.Length; d++) ok = shape[d + 1] == recordShape[d];
        if (!ok)
            throw new OnnxModelException(
                $"Tensor '{name}' has shape [{string.Join(",", shape)}] for a batch of {count}, expected [{count},{string.Join(",", recordShape)}]; " +
                "the model's shapes must not depend on the batch contents.");
    }
}
