using System.Collections;

namespace NeuralFP.Core.Verdicts;

/// <summary>
/// The verdicts of a batch held as arrays (one per field, per-layer fields as [record, layer]), so scoring allocates
/// per batch, never per record. It is also a list of <see cref="Verdict"/>: indexing builds that record's verdict
/// object on demand (the same values <see cref="OneOutRule.Evaluate"/> gives), for callers that want objects.
/// </summary>
public sealed class VerdictBatch : IReadOnlyList<Verdict>
{
    private readonly OneOutRule _rule;
    private readonly float[] _errors;
    private readonly double[] _layerPValues;
    private readonly bool[] _fired;
    private readonly bool[] _ood;
    private readonly double[] _scores;
    private readonly double[] _pValues;
    private readonly int[] _predicted;
    private readonly float[] _probabilities;
    private readonly int[] _deciding;
    private readonly int _stride;

    private VerdictBatch(OneOutRule rule, int records, int stride, float[] errors, int[] predicted, float[] probabilities)
    {
        _rule = rule;
        Count = records;
        LayerCount = rule.Layers.Count;
        _stride = stride;
        _errors = errors;
        _predicted = predicted;
        _probabilities = probabilities;
        _layerPValues = new double[records * LayerCount];
        _fired = new bool[records * LayerCount];
        _ood = new bool[records];
        _scores = new double[records];
        _pValues = new double[records];
        _deciding = new int[records];
    }

    /// <summary>
    /// Evaluates every record's [record, layer] errors under the rule (and, when given, the integration that decides
    /// the verdict, score and p-value; per-layer detail stays the one-out rule's, to say where the evidence lies).
    /// Each record's row holds <paramref name="statistics"/> values: the layers' errors first, then any further
    /// statistics the integration reads (the latent distances). Takes ownership of the arrays.
    /// </summary>
    /// <param name="statisticLayers">Per statistic of a row, the layer it belongs to (−1: none among the rule's layers); under an
    /// integration the deciding layer is the one behind the score's largest term (<see cref="LayerIntegration.Score(OneOutRule, ReadOnlySpan{float}, int, out int)"/>).
    /// Null: the first <c>rule.Layers.Count</c> statistics are the layers' errors and the rest belong to none.</param>
    public static VerdictBatch Evaluate(OneOutRule rule, LayerIntegration? integration, int records, float[] errors, int[] predictedClasses, float[] maxProbabilities,
        int? statistics = null, int[]? statisticLayers = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var layers = rule.Layers.Count;
        var stride = statistics ?? layers;
        if (stride < layers || errors.Length != records * stride || predictedClasses.Length != records || maxProbabilities.Length != records)
            throw new ArgumentException($"A batch of {records} records over {layers} layers ({stride} statistics each) needs {records * stride} values and {records} predictions.");
        var batch = new VerdictBatch(rule, records, stride, errors, predictedClasses, maxProbabilities);
        for (var r = 0; r < records; r++)
        {
            var row = errors.AsSpan(r * stride, stride);
            var recordErrors = row[..layers];
            var slice = new Range(r * layers, (r + 1) * layers);
            var pValues = batch._layerPValues.AsSpan(slice);
            var fired = batch._fired.AsSpan(slice);
            batch._ood[r] = rule.EvaluateLayers(recordErrors, pValues, fired, out batch._pValues[r]);
            if (integration is null)
            {
                batch._scores[r] = rule.Score(recordErrors);
                batch._deciding[r] = DecidingLayer.StrongestIndex(rule, recordErrors, pValues, fired);
                continue;
            }
            var score = integration.Score(rule, row, predictedClasses[r], out var largest);
            // The layer behind the integrated score's largest term decides; a statistic of no fingerprinted layer leaves the
            // one-out rule's choice.
            var decidingLayer = statisticLayers is not null ? statisticLayers[largest] : largest < layers ? largest : -1;
            batch._deciding[r] = decidingLayer >= 0 ? decidingLayer : DecidingLayer.StrongestIndex(rule, recordErrors, pValues, fired);
            batch._scores[r] = score;
            batch._ood[r] = integration.IsOod(score);
            batch._pValues[r] = integration.PValue(score);
        }
        batch.OodCount = batch._ood.Count(o => o);
        return batch;
    }

    public int Count { get; }

    public int LayerCount { get; }

    public int OodCount { get; private set; }

    /// <summary>Layer names, in fingerprint order (the order of every per-layer span).</summary>
    public IReadOnlyList<string> Layers => _rule.Layers;

    /// <summary>μ_l of a layer (the same for every record).</summary>
    public double Lower(int layer) => _rule.LowerOf(layer);

    /// <summary>τ_l of a layer (the same for every record).</summary>
    public double Upper(int layer) => _rule.UpperOf(layer);

    public ReadOnlySpan<bool> Ood => _ood;

    public ReadOnlySpan<double> Scores => _scores;

    public ReadOnlySpan<double> PValues => _pValues;

    public ReadOnlySpan<int> PredictedClasses => _predicted;

    public ReadOnlySpan<float> MaxProbabilities => _probabilities;

    /// <summary>Per record, the index of the layer whose evidence decided it: under an integration, the layer behind the
    /// score's largest term; under the one-out rule, <see cref="DecidingLayer.Strongest"/>.</summary>
    public ReadOnlySpan<int> DecidingLayers => _deciding;

    public ReadOnlySpan<float> Errors(int record) => _errors.AsSpan(record * _stride, LayerCount);

    public ReadOnlySpan<double> LayerPValues(int record) => _layerPValues.AsSpan(record * LayerCount, LayerCount);

    public ReadOnlySpan<bool> Fired(int record) => _fired.AsSpan(record * LayerCount, LayerCount);

    /// <summary>Builds the record's verdict object (allocates; the spans above do not).</summary>
    public Verdict this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            var errors = Errors(index);
            var pValues = LayerPValues(index);
            var fired = Fired(index);
            var layers = new LayerVerdict[LayerCount];
            for (var l = 0; l < layers.Length; l++)
                layers[l] = new LayerVerdict(_rule.Layers[l], errors[l], Lower(l), Upper(l), pValues[l], fired[l]);
            return new Verdict(_ood[index], _scores[index], _pValues[index], _predicted[index], _probabilities[index], layers) { Decided = _rule.Layers[_deciding[index]] };
        }
    }

    public IEnumerator<Verdict> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
