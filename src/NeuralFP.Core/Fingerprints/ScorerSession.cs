using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// One ONNX Runtime session over a fused scorer graph: per chunk of records, the model's
/// prediction and every layer's reconstruction error. Thread-safe (InferenceSession.Run is).
/// </summary>
internal sealed class ScorerSession : IDisposable
{
    /// <summary>Records per ONNX Runtime run; bounds the memory of one run for large batches.</summary>
    public const int MaxRecordsPerRun = 1024;

    private readonly InferenceSession _session;
    // Small batches run on a second, single-threaded session inline on the caller (no hand-off to the intra-op pool);
    // created on the first small batch, only for the default session options (see InlineSmallBatches).
    private readonly Func<InferenceSession>? _createInlineSession;
    private readonly Lock _inlineGate = new();
    private InferenceSession? _inlineSession;
    private bool _inlineFailed; // the second session could not be made (memory): every batch uses the pooled one
    private readonly int _inlineBatchLimit;
    // Larger batches: this many concurrent runs on the single-threaded session (1 = one run on the pooled session).
    private readonly int _largeBatchRuns = 1;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    // What plain scoring reads: the model's output and the errors; the detectors' extra outputs only when asked for.
    private readonly string[] _scoreOutputNames;
    private readonly long[] _recordShape;
    // Read-only during runs, so one serves every run (no native object per call).
    private readonly RunOptions _runOptions = new();
    private readonly bool _outputIsProbability;

    private readonly int _layerCount;

    public ScorerSession(byte[] scorerOnnx, string inputName, int[] inputShape, string modelOutput, IReadOnlyList<string> errorOutputs, bool outputIsProbability, SessionOptions? sessionOptions = null, IReadOnlyList<string>? extraOutputs = null, InlineSmallBatches? inlineSmallBatches = null)
    {
        var inline = inlineSmallBatches ?? InlineSmallBatches.Default;
        // Given session options are the caller's choice for every run; the second session applies to the defaults only.
        if (sessionOptions is null && inline.AppliesTo(scorerOnnx.LongLength))
        {
            _inlineBatchLimit = inline.MaxRecords;
            _largeBatchRuns = inline.LargeBatchRuns;
            _createInlineSession = () =>
            {
                using var single = CreateSingleThreadSessionOptions();
                return new InferenceSession(scorerOnnx, single);
            };
        }
        _inputNames = [inputName];
        _outputNames = [modelOutput, .. errorOutputs, .. extraOutputs ?? []];
        _scoreOutputNames = [modelOutput, .. errorOutputs];
        _layerCount = errorOutputs.Count;
        _recordShape = [.. inputShape.Select(d => (long)d)];
        _outputIsProbability = outputIsProbability;
        if (sessionOptions is null)
        {
            using var defaults = CreateSessionOptions();
            _session = new InferenceSession(scorerOnnx, defaults);
        }
        else
        {
            _session = new InferenceSession(scorerOnnx, sessionOptions);
        }
    }

    /// <summary>
    /// All graph optimisations; the process's shared intra-op pool when <see cref="Onnx.SharedThreadPool"/> is enabled,
    /// else one intra-op thread per core for this session; idle pool threads sleep instead of spinning (chosen by
    /// measurement, <c>perf --sessions</c>: on shared cores spinning threads starve the request and scoring threads,
    /// several times the throughput lost at batch 256, no batch-1 latency gained; see docs/scale-plan.md).
    /// </summary>
    public static SessionOptions CreateSessionOptions()
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        if (Onnx.SharedThreadPool.IsEnabled) options.DisablePerSessionThreads();
        else options.IntraOpNumThreads = Environment.ProcessorCount;
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    /// <summary>
    /// All graph optimisations, one intra-op thread: ONNX Runtime runs the graph on the calling thread, with no pool
    /// (whose wake-up and hand-off cost more than they save on a batch of a few records).
    /// </summary>
    public static SessionOptions CreateSingleThreadSessionOptions()
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            InterOpNumThreads = 1,
            IntraOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    /// <summary>True once the single-threaded session for small batches exists (it is made on the first small batch).</summary>
    public bool HasInlineSession => Volatile.Read(ref _inlineSession) is not null;

    public int LayerCount => _layerCount;

    public int ExtraOutputCount => _outputNames.Length - 1 - _layerCount;

    /// <summary>
    /// Runs the graph over already-validated records. <paramref name="errors"/> receives
    /// [record, layer] errors; the prediction spans may be empty to skip them.
    /// </summary>
    public void Run(FloatTensor records, Span<float> errors, Span<int> predictedClasses, Span<float> maxProbabilities, CancellationToken cancellationToken)
        => Run(records, errors, predictedClasses, maxProbabilities, raw: null, cancellationToken);

    /// <summary>Per layer, every record's error ([layer][record]), as calibration and matching read them.</summary>
    public float[][] RunByLayer(FloatTensor records, CancellationToken cancellationToken)
    {
        var n = records.Records;
        var interleaved = new float[n * LayerCount];
        Run(records, interleaved, default, default, cancellationToken);
        var byLayer = new float[LayerCount][];
        for (var l = 0; l < LayerCount; l++)
        {
            byLayer[l] = new float[n];
            for (var r = 0; r < n; r++) byLayer[l][r] = interleaved[r * LayerCount + l];
        }
        return byLayer;
    }

    /// <summary>
    /// One run that also returns the model's first output and every extra output in full, as
    /// [N, width] tensors (for the detectors that score from the same forward pass).
    /// </summary>
    public (float[] Errors, FloatTensor ModelOutput, FloatTensor[] Extras) RunAll(FloatTensor records, CancellationToken cancellationToken)
    {
        var errors = new float[records.Records * LayerCount];
        var raw = new List<float>[1 + ExtraOutputCount];
        for (var i = 0; i < raw.Length; i++) raw[i] = [];
        Run(records, errors, default, default, raw, cancellationToken);
        FloatTensor AsTensor(List<float> values)
        {
            var data = values.ToArray();
            return new FloatTensor(data, [records.Records, records.Records == 0 ? 0 : data.Length / records.Records]);
        }
        return (errors, AsTensor(raw[0]), raw.Skip(1).Select(AsTensor).ToArray());
    }

    private void Run(FloatTensor records, Span<float> errors, Span<int> predictedClasses, Span<float> maxProbabilities, List<float>[]? raw, CancellationToken cancellationToken)
    {
        // A run on a disposed session would crash the process in native code; this makes it an exception instead.
        ObjectDisposedException.ThrowIf(_disposed, this);
        var n = records.Records;
        var recordLength = records.RecordLength;
        var small = n <= _inlineBatchLimit && n > 0;
        var splittable = !small && _largeBatchRuns > 1 && n >= 2 * InlineSmallBatches.MinRecordsPerSplitRun;
        var session = small || splittable ? InlineSessionOrPooled() : _session;
        var split = splittable && session != _session;
        var shape = new long[1 + _recordShape.Length];
        _recordShape.CopyTo(shape, 1);
        var outputNames = raw is null ? _scoreOutputNames : _outputNames;
        for (var start = 0; start < n; start += MaxRecordsPerRun)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(MaxRecordsPerRun, n - start);
            var runs = split ? Math.Max(Math.Min(count / InlineSmallBatches.MinRecordsPerSplitRun, _largeBatchRuns), (count + InlineSmallBatches.SplitRunRecords - 1) / InlineSmallBatches.SplitRunRecords) : 1;
            if (runs == 1)
            {
                shape[0] = count;
                using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, records.Data.AsMemory(start * recordLength, count * recordLength), shape);
                using var outputs = session.Run(_runOptions, _inputNames, [input], outputNames);
                ReadOutputs(outputs, start, count, errors, predictedClasses, maxProbabilities, raw);
                continue;
            }
            // One run per part, each on its own thread and the single-threaded session: every part runs the whole graph
            // without the per-node hand-offs of the pooled session (chosen by measurement, README "Performance").
            var results = new IDisposableReadOnlyCollection<OrtValue>?[runs];
            try
            {
                // Parallel.For returns only when every part has run, so the loop's start and count stay put meanwhile.
                Parallel.For(0, runs, new ParallelOptions { MaxDegreeOfParallelism = _largeBatchRuns, CancellationToken = cancellationToken }, part =>
                {
                    var (partStart, partCount) = Part(start, count, runs, part);
                    long[] partShape = [partCount, .. _recordShape];
                    using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, records.Data.AsMemory(partStart * recordLength, partCount * recordLength), partShape);
                    results[part] = session.Run(_runOptions, _inputNames, [input], outputNames);
                });
                for (var part = 0; part < runs; part++)
                {
                    var (partStart, partCount) = Part(start, count, runs, part);
                    ReadOutputs(results[part]!, partStart, partCount, errors, predictedClasses, maxProbabilities, raw);
                }
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
            finally
            {
                foreach (var result in results) result?.Dispose();
            }
        }
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="runs"/> near-equal consecutive parts of [start, start + count).</summary>
    private static (int Start, int Count) Part(int start, int count, int runs, int part)
    {
        var from = start + (int)((long)count * part / runs);
        var to = start + (int)((long)count * (part + 1) / runs);
        return (from, to - from);
    }

    /// <summary>Copies one run's outputs for records [start, start + count) into the caller's spans (and lists).</summary>
    private void ReadOutputs(IDisposableReadOnlyCollection<OrtValue> outputs, int start, int count, Span<float> errors, Span<int> predictedClasses, Span<float> maxProbabilities, List<float>[]? raw)
    {
        if (!predictedClasses.IsEmpty || !maxProbabilities.IsEmpty)
            ReadPredictions(outputs[0].GetTensorDataAsSpan<float>(), count,
                predictedClasses.IsEmpty ? default : predictedClasses.Slice(start, count),
                maxProbabilities.IsEmpty ? default : maxProbabilities.Slice(start, count));
        for (var l = 0; l < LayerCount; l++)
        {
            var layerErrors = outputs[l + 1].GetTensorDataAsSpan<float>();
            for (var r = 0; r < count; r++) errors[(start + r) * LayerCount + l] = layerErrors[r];
        }
        if (raw is null) return;
        raw[0].AddRange(outputs[0].GetTensorDataAsSpan<float>());
        for (var x = 0; x < ExtraOutputCount; x++) raw[x + 1].AddRange(outputs[1 + LayerCount + x].GetTensorDataAsSpan<float>());
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
            if (_outputIsProbability)
            {
                maxProbability[r] = row[best];
                continue;
            }
            // softmax(x)_max = 1 / Σ exp(x_i − x_max), without materialising the softmax.
            var max = row[best];
            var sum = 0f;
            foreach (var v in row) sum += MathF.Exp(v - max);
            maxProbability[r] = 1f / sum;
        }
    }

    /// <summary>The single-threaded session, made on first use; the pooled one if it cannot be made (a failure is not retried per batch).</summary>
    private InferenceSession InlineSessionOrPooled()
    {
        if (Volatile.Read(ref _inlineSession) is { } made) return made;
        lock (_inlineGate)
        {
            if (_inlineSession is not null) return _inlineSession;
            if (_inlineFailed || _disposed) return _session;
            try
            {
                Volatile.Write(ref _inlineSession, _createInlineSession!());
                return _inlineSession!;
            }
            catch (OnnxRuntimeException)
            {
                _inlineFailed = true;
                return _session;
            }
            catch (OutOfMemoryException)
            {
                _inlineFailed = true;
                return _session;
            }
        }
    }

    private volatile bool _disposed;

    public void Dispose()
    {
        _disposed = true;
        _session.Dispose();
        lock (_inlineGate) _inlineSession?.Dispose();
        _runOptions.Dispose();
    }
}
