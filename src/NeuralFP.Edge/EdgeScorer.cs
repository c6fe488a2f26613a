using NeuralFP.Core.Explanations;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Monitoring;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Edge;

/// <summary>
/// Scores records on the gateway with the fingerprint's fused scorer (ONNX Runtime), giving the service's verdicts
/// (the same engine, graph and calibration), and keeps a local window of OOD outcomes tested with the service's
/// binomial drift alarm. Scoring is thread-safe; the window is updated under a lock.
/// </summary>
public sealed class EdgeScorer : IDisposable
{
    private readonly FingerprintScorer _scorer;
    private readonly DriftMonitor _drift;
    private readonly Lock _driftLock = new();

    public EdgeScorer(EdgeFingerprint fingerprint, EdgeScorerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        options ??= new EdgeScorerOptions();
        Fingerprint = fingerprint;
        _scorer = new FingerprintScorer(fingerprint.Fingerprint, options.SessionOptions);
        _drift = new DriftMonitor(options.Drift with { ExpectedOodRate = fingerprint.Fingerprint.Manifest.Calibration.TargetFpr });
    }

    public EdgeFingerprint Fingerprint { get; }

    /// <summary>The record shape the model accepts.</summary>
    public int[] InputShape => _scorer.InputShape;

    /// <summary>The local drift test after the latest scored batch.</summary>
    public DriftState Drift
    {
        get
        {
            lock (_driftLock) return _drift.Current;
        }
    }

    /// <summary>Per-record verdicts (held as arrays; index it for <see cref="Verdict"/> objects); their outcomes enter the local drift window.</summary>
    /// <exception cref="InvalidRecordsException">Wrong shape, empty, or non-finite.</exception>
    public VerdictBatch Score(FloatTensor records, CancellationToken cancellationToken = default)
    {
        var verdicts = _scorer.Score(records, cancellationToken);
        Observe(verdicts);
        return verdicts;
    }

    /// <summary>Verdicts with their explanations (deciding layer, top-k input features, heatmap); costs one more small run.</summary>
    public IReadOnlyList<(Verdict Verdict, VerdictExplanation Explanation)> ScoreAndExplain(FloatTensor records, int topK = FingerprintExplainer.DefaultTopK, CancellationToken cancellationToken = default)
    {
        var verdicts = Score(records, cancellationToken);
        var explanations = Explain(records, verdicts, topK, cancellationToken);
        return verdicts.Zip(explanations).ToArray();
    }

    /// <summary>Explanations of verdicts this scorer gave for these records (no effect on the drift window).</summary>
    public IReadOnlyList<VerdictExplanation> Explain(FloatTensor records, IReadOnlyList<Verdict> verdicts, int topK = FingerprintExplainer.DefaultTopK, CancellationToken cancellationToken = default)
        => _scorer.Explainer.Explain(records, verdicts, topK, cancellationToken);

    private void Observe(VerdictBatch verdicts)
    {
        lock (_driftLock) _drift.Observe(verdicts.Ood);
    }

    public void Dispose() => _scorer.Dispose();
}
