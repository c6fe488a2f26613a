using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Explanations;
using NeuralFP.Core.Matching;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// Scores records with a fingerprint's fused scorer graph: one ONNX Runtime run per chunk gives
/// the model's prediction and every layer's reconstruction error. Thread-safe.
/// </summary>
public sealed class FingerprintScorer : IDisposable
{
    private readonly ScorerSession _session;
    private readonly OneOutRule _rule;
    private readonly Lazy<FingerprintExplainer> _explainer;
    private readonly LayerIntegration? _integration;
    private readonly int _layers;
    private readonly int[] _statisticLayers;

    /// <param name="inlineSmallBatches">Small batches on a second, single-threaded session (default options only); null = <see cref="InlineSmallBatches.Default"/>.</param>
    public FingerprintScorer(Fingerprint fingerprint, SessionOptions? sessionOptions = null, InlineSmallBatches? inlineSmallBatches = null)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        Fingerprint = fingerprint;
        var manifest = fingerprint.Manifest;
        _rule = manifest.Rule;
        _integration = manifest.Integration;
        // The latent distances and the input's statistics are read only when the integration uses them (an artifact may
        // carry latent distances unused).
        var readsLatent = _integration is not null && _integration.StatisticCount > manifest.Layers.Count;
        // Each statistic with the layer it belongs to (for the deciding layer): the errors and latent distances their own
        // layers, the input's statistics the input layer (−1 when it is not fingerprinted).
        var layers = manifest.Layers;
        var inputLayer = layers.Select(l => l.Name).ToList().IndexOf(manifest.InputName);
        (string Output, int Layer)[] statisticsOfLayers = [.. layers.Select((l, i) => (l.ErrorOutput, i)),
            .. readsLatent ? layers.Select((l, i) => (l.LatentOutput, i)).Where(s => s.LatentOutput is not null).Select(s => (s.LatentOutput!, s.i)) : [],
            .. readsLatent ? manifest.InputStatisticOutputs().Select(output => (output, inputLayer)) : []];
        string[] statistics = [.. statisticsOfLayers.Select(s => s.Output)];
        _statisticLayers = [.. statisticsOfLayers.Select(s => s.Layer)];
        if (readsLatent && statistics.Length != _integration!.StatisticCount)
            throw new InvalidDataException($"fingerprint.json: the integration reads {_integration.StatisticCount} statistics but the layers name {statistics.Length} outputs.");
        _session = new ScorerSession(fingerprint.ScorerOnnx, manifest.InputName, manifest.InputShape, manifest.ModelOutputs[0],
            statistics, manifest.OutputIsProbability, sessionOptions, manifest.DetectorOutputs.Names, inlineSmallBatches);
        _layers = layers.Count;
        _explainer = new Lazy<FingerprintExplainer>(() => new FingerprintExplainer(fingerprint), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Explains verdicts of this fingerprint (deciding layer, input features); created on first use, so plain scoring never pays for it.</summary>
    public FingerprintExplainer Explainer => _explainer.Value;

    /// <summary>Session options used when none are given: all graph optimisations, one intra-op thread per core.</summary>
    public static SessionOptions CreateSessionOptions() => ScorerSession.CreateSessionOptions();

    /// <summary>Session options of the small-batch session: one intra-op thread, the run inline on the caller.</summary>
    public static SessionOptions CreateSingleThreadSessionOptions() => ScorerSession.CreateSingleThreadSessionOptions();

    /// <summary>True once small batches have made the second, single-threaded session.</summary>
    internal bool HasInlineSession => _session.HasInlineSession;

    public Fingerprint Fingerprint { get; }

    /// <summary>The record shape the model accepts.</summary>
    public int[] InputShape => Fingerprint.Manifest.InputShape;

    public int LayerCount => _layers;

    /// <summary>Values per record that <see cref="ComputeErrors"/> writes: every layer's error, then the latent distances the integration reads.</summary>
    public int StatisticCount => _session.LayerCount;

    /// <summary>
    /// Per-record verdicts, held as arrays (<see cref="VerdictBatch"/>): the fused graph's one run per chunk, then the
    /// rule per record, with no object per record. Under an integrated rule the verdict, score and p-value are the
    /// integration's, and so is the deciding layer (the one behind the score's largest term); each layer's detail
    /// (thresholds, p-value, fired) stays the one-out rule's test of that layer alone.
    /// </summary>
    /// <exception cref="InvalidRecordsException">Wrong shape, empty, or non-finite.</exception>
    public VerdictBatch Score(FloatTensor records, CancellationToken cancellationToken = default)
    {
        records = RecordValidator.Validate(records, InputShape);
        var n = records.Records;
        var errors = new float[n * StatisticCount];
        var predicted = new int[n];
        var probabilities = new float[n];
        ComputeErrors(records, errors, predicted, probabilities, cancellationToken);
        return VerdictBatch.Evaluate(_rule, _integration, n, errors, predicted, probabilities, StatisticCount, _statisticLayers);
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
        var errors = new float[n * StatisticCount];
        // The per-class integration measures each record from its predicted class's mean.
        var predicted = _integration is { ReadsPredictedClass: true } ? new int[n] : null;
        ComputeErrors(records, errors, predicted, maxProbabilities.IsEmpty ? default : maxProbabilities[..n], cancellationToken);
        for (var r = 0; r < n; r++)
        {
            var recordErrors = errors.AsSpan(r * StatisticCount, StatisticCount);
            if (_integration is null)
            {
                ood[r] = _rule.IsOod(recordErrors[.._layers]);
                scores[r] = _rule.Score(recordErrors[.._layers]);
            }
            else
            {
                scores[r] = _integration.Score(_rule, recordErrors, predicted?[r] ?? -1);
                ood[r] = _integration.IsOod(scores[r]);
            }
        }
    }

    /// <summary>The fingerprint's scores (higher = more OOD) of records given their interleaved [record, layer] errors and
    /// the model's first output (its argmax is the predicted class the per-class integration reads).</summary>
    private double[] FingerprintScores(float[] errors, FloatTensor modelOutput, int records)
    {
        var scores = new double[records];
        for (var r = 0; r < records; r++)
        {
            var recordErrors = errors.AsSpan(r * StatisticCount, StatisticCount);
            var predicted = _integration is { ReadsPredictedClass: true } ? TensorPrimitives.IndexOfMax(modelOutput.Record(r)) : -1;
            scores[r] = _integration?.Score(_rule, recordErrors, predicted) ?? _rule.Score(recordErrors[.._layers]);
        }
        return scores;
    }

    /// <summary>
    /// The other detectors' scores and calibrated verdicts, all from one run of the fused graph
    /// (DICE's sparsified layer is computed inside it). <paramref name="detectors"/> null = all fitted.
    /// </summary>
    /// <exception cref="KeyNotFoundException">A named detector was not fitted for this fingerprint.</exception>
    public IReadOnlyList<DetectorScores> ScoreDetectors(FloatTensor records, IReadOnlyCollection<string>? detectors = null, CancellationToken cancellationToken = default)
    {
        var chosen = detectors is null ? Fingerprint.Detectors.Detectors : detectors.Select(name => Fingerprint.Detectors[name]).ToArray();
        records = RecordValidator.Validate(records, InputShape);
        if (chosen.Count == 0) return [];
        var (errors, logits, extras) = _session.RunAll(records, cancellationToken);
        var outputs = Fingerprint.Manifest.DetectorOutputs;
        var names = outputs.Names;
        FloatTensor? Extra(string? name) => name is null ? null : extras[names.ToList().IndexOf(name)];
        var penultimate = Extra(outputs.Penultimate);
        var diceLogits = Extra(outputs.DiceLogits);
        var combined = chosen.Any(d => d.Detector is CombinedDetector);
        var inputs = new DetectorInputs(ModelHead.Logits(logits, Extra(outputs.Logits), Fingerprint.Manifest.OutputIsProbability), penultimate, penultimate)
        {
            FingerprintScores = combined ? FingerprintScores(errors, logits, records.Records) : null,
            FingerprintStatistics = combined ? errors : null,
            FingerprintStatisticCount = StatisticCount,
        };
        var n = records.Records;
        var results = new List<DetectorScores>(chosen.Count);
        foreach (var detector in chosen)
        {
            var scores = new double[n];
            var ood = new bool[n];
            var pValues = new double[n];
            if (detector.Detector is DiceDetector && diceLogits is not null)
            {
                // DICE = energy of the sparsified logits, which the graph already computed.
                new EnergyDetector().Score(new DetectorInputs(diceLogits), scores);
                for (var i = 0; i < n; i++)
                {
                    ood[i] = detector.Calibration.IsOod(scores[i]);
                    pValues[i] = detector.Calibration.PValue(scores[i]);
                }
            }
            else
            {
                detector.Evaluate(inputs, scores, ood, pValues);
            }
            results.Add(new DetectorScores(detector.Name, scores, ood, pValues, detector.Threshold));
        }
        return results;
    }

    /// <summary>Match score of a batch against this fingerprint (see <see cref="ModelMatcher"/>).</summary>
    public MatchResult Match(string modelId, FloatTensor records, CancellationToken cancellationToken = default)
    {
        records = RecordValidator.Validate(records, InputShape);
        var byLayer = _session.RunByLayer(records, cancellationToken);
        return ModelMatcher.Score(modelId, _rule, byLayer[.._layers]);
    }

    /// <summary>[record, statistic] values (<see cref="StatisticCount"/> per record: layer errors, then latent distances) of already-validated records; the prediction spans may be empty to skip them.</summary>
    internal void ComputeErrors(FloatTensor records, Span<float> errors, Span<int> predictedClasses, Span<float> maxProbabilities, CancellationToken cancellationToken = default) =>
        _session.Run(records, errors, predictedClasses, maxProbabilities, cancellationToken);

    public void Dispose()
    {
        if (_explainer.IsValueCreated) _explainer.Value.Dispose();
        _session.Dispose();
    }
}
