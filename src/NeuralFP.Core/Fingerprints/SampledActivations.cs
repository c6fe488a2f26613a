using NeuralFP.Core.Activations;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// The activations a build keeps from its streamed pass over the reference: every tapped layer of the autoencoders'
/// training and early-stopping records only (at most <see cref="FingerprintOptions.MaxTrainingRecords"/> and its
/// share). The extractor is given just those records, in ascending order (<see cref="Records"/>); the held-out records
/// are streamed through the fused scorer later (<see cref="CalibrationPass"/>), so memory follows the cap, not the
/// reference.
/// </summary>
internal sealed class SampledActivations : IActivationSink
{
    private readonly string[] _layers;
    private readonly int[] _featureCounts;
    private readonly int[] _slot;   // per extracted record: its training slot, or validation slot + training count
    private readonly int _train, _validation;
    private readonly float[]?[] _trainFeatures, _validationFeatures;
    private float[] _trainOutputs = [], _validationOutputs = [];
    private int _outputLength;
    private int[] _outputShape = [];

    public SampledActivations(IReadOnlyList<string> layers, IReadOnlyList<int> featureCounts, ReferenceSplit split, int records)
    {
        _layers = [.. layers];
        _featureCounts = [.. featureCounts];
        _train = split.Train.Length;
        _validation = split.Validation.Length;

        // Each sampled record's slot, then the sampled records in reference order (the order they are read in).
        var slotOf = new Dictionary<int, int>(_train + _validation);
        for (var i = 0; i < split.Train.Length; i++) slotOf[split.Train[i]] = i;
        for (var i = 0; i < split.Validation.Length; i++) slotOf[split.Validation[i]] = _train + i;
        Records = [.. slotOf.Keys.Order()];
        _slot = [.. Records.Select(r => slotOf[r])];
        _trainFeatures = [.. _featureCounts.Select(d => new float[checked(_train * d)])];
        _validationFeatures = [.. _featureCounts.Select(d => new float[checked(_validation * d)])];
    }

    /// <summary>The reference records to extract, ascending: the autoencoders' training and early-stopping records.</summary>
    public int[] Records { get; }

    public void Begin(int outputLength)
    {
        _outputLength = outputLength;
        _trainOutputs = new float[checked(_train * outputLength)];
        _validationOutputs = new float[checked(_validation * outputLength)];
    }

    /// <summary>Record shape of the model's first output; set once extraction is done.</summary>
    public void SetOutputShape(int[] shape) => _outputShape = shape;

    public Span<float> Output(int record)
    {
        var slot = _slot[record];
        return slot < _train ? _trainOutputs.AsSpan(slot * _outputLength, _outputLength) : _validationOutputs.AsSpan((slot - _train) * _outputLength, _outputLength);
    }

    public Span<float> Features(int layer, int record)
    {
        var slot = _slot[record];
        var d = _featureCounts[layer];
        return slot < _train ? (_trainFeatures[layer] ?? throw Released(layer)).AsSpan(slot * d, d) : (_validationFeatures[layer] ?? throw Released(layer)).AsSpan((slot - _train) * d, d);
    }

    /// <summary>Pooled features per record at tapped layer <paramref name="layer"/>.</summary>
    public int FeatureCount(int layer) => _featureCounts[layer];

    /// <summary>The training records' features at tapped layer <paramref name="layer"/> [train, D].</summary>
    public FloatTensor Train(int layer) => new(_trainFeatures[layer] ?? throw Released(layer), [_train, _featureCounts[layer]]);

    /// <summary>The early-stopping records' features at tapped layer <paramref name="layer"/> [validation, D].</summary>
    public FloatTensor Validation(int layer) => new(_validationFeatures[layer] ?? throw Released(layer), [_validation, _featureCounts[layer]]);

    /// <summary>The model's first output for the training records [train, ...].</summary>
    public FloatTensor TrainOutputs => new(_trainOutputs, [_train, .. _outputShape]);

    /// <summary>Drops a layer's features once they are standardised for its autoencoder (fit the detectors before).</summary>
    public void Release(int layer)
    {
        _trainFeatures[layer] = null;
        _validationFeatures[layer] = null;
    }

    /// <summary>The given layers and the outputs of the training then early-stopping records: what the detectors are fitted on.</summary>
    public ActivationSet Fit(IReadOnlyList<string> layers) => new(
        layers,
        [.. layers.Select(name =>
        {
            var l = Array.IndexOf(_layers, name);
            return new FloatTensor([.. _trainFeatures[l] ?? throw Released(l), .. _validationFeatures[l]!], [_train + _validation, _featureCounts[l]]);
        })],
        new FloatTensor([.. _trainOutputs, .. _validationOutputs], [_train + _validation, .. _outputShape]));

    private InvalidOperationException Released(int layer) => new($"The features of layer '{_layers[layer]}' were released.");
}
