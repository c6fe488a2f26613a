using NeuralFP.Core.Activations;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// The activations a build keeps from its streamed pass over the reference: every tapped layer of the autoencoders'
/// training and early-stopping records (at most <see cref="FingerprintOptions.MaxTrainingRecords"/> and its share), and
/// only the detectors' layers of the held-out records. Records the extractor is given are the split's records in
/// ascending order (<see cref="Records"/>); nothing is held for the others, so memory follows the cap, not the reference.
/// </summary>
internal sealed class SampledActivations : IActivationSink
{
    private readonly string[] _layers;
    private readonly int[] _featureCounts;
    private readonly int[] _heldOutLayer;          // per tapped layer, its index among the held-out layers, or -1
    private readonly int[] _slot;                  // per extracted record: train slot, validation slot (+ train count), or -(held-out slot + 1)
    private readonly int _train, _validation, _heldOut;
    private readonly float[]?[] _trainFeatures, _validationFeatures;
    private readonly float[][] _heldOutFeatures;
    private float[] _trainOutputs = [], _validationOutputs = [], _heldOutOutputs = [];
    private int _outputLength;
    private int[] _outputShape = [];

    /// <param name="keepHeldOut">Whether the held-out records are extracted at all (for the detectors).</param>
    /// <param name="heldOutLayers">Tapped layers whose held-out records are kept (the detectors' inputs, beside the model outputs).</param>
    public SampledActivations(IReadOnlyList<string> layers, IReadOnlyList<int> featureCounts, ReferenceSplit split, int records, bool keepHeldOut, IReadOnlyCollection<string> heldOutLayers)
    {
        _layers = [.. layers];
        _featureCounts = [.. featureCounts];
        _train = split.Train.Length;
        _validation = split.Validation.Length;
        _heldOut = keepHeldOut ? split.HeldOut.Length : 0;

        // Which part each reference record belongs to, then the kept ones in reference order.
        var role = new int[records];
        Array.Fill(role, int.MinValue);
        for (var i = 0; i < split.Train.Length; i++) role[split.Train[i]] = i;
        for (var i = 0; i < split.Validation.Length; i++) role[split.Validation[i]] = _train + i;
        if (keepHeldOut)
            for (var i = 0; i < split.HeldOut.Length; i++) role[split.HeldOut[i]] = -(i + 1);
        var kept = new List<int>(_train + _validation + _heldOut);
        var slots = new List<int>(kept.Capacity);
        for (var r = 0; r < records; r++)
        {
            if (role[r] == int.MinValue) continue;
            kept.Add(r);
            slots.Add(role[r]);
        }
        Records = [.. kept];
        _slot = [.. slots];

        _heldOutLayer = [.. _layers.Select(name => -1)];
        var heldOutNames = new List<string>();
        for (var l = 0; l < _layers.Length; l++)
            if (keepHeldOut && heldOutLayers.Contains(_layers[l]))
            {
                _heldOutLayer[l] = heldOutNames.Count;
                heldOutNames.Add(_layers[l]);
            }
        HeldOutLayers = heldOutNames;
        _trainFeatures = [.. _featureCounts.Select(d => new float[checked(_train * d)])];
        _validationFeatures = [.. _featureCounts.Select(d => new float[checked(_validation * d)])];
        _heldOutFeatures = [.. heldOutNames.Select(name => new float[checked(_heldOut * _featureCounts[Array.IndexOf(_layers, name)])])];
    }

    /// <summary>The reference records to extract, ascending: training, early-stopping and (for the detectors) held-out records.</summary>
    public int[] Records { get; }

    public IReadOnlyList<string> HeldOutLayers { get; }

    public void Begin(int outputLength)
    {
        _outputLength = outputLength;
        _trainOutputs = new float[checked(_train * outputLength)];
        _validationOutputs = new float[checked(_validation * outputLength)];
        _heldOutOutputs = new float[checked(_heldOut * outputLength)];
    }

    /// <summary>Record shape of the model's first output; set once extraction is done.</summary>
    public void SetOutputShape(int[] shape) => _outputShape = shape;

    public Span<float> Output(int record)
    {
        var slot = _slot[record];
        if (slot < 0) return _heldOutOutputs.AsSpan((-slot - 1) * _outputLength, _outputLength);
        return slot < _train ? _trainOutputs.AsSpan(slot * _outputLength, _outputLength) : _validationOutputs.AsSpan((slot - _train) * _outputLength, _outputLength);
    }

    public Span<float> Features(int layer, int record)
    {
        var slot = _slot[record];
        var d = _featureCounts[layer];
        if (slot < 0) return _heldOutLayer[layer] < 0 ? default : _heldOutFeatures[_heldOutLayer[layer]].AsSpan((-slot - 1) * d, d);
        return slot < _train ? _trainFeatures[layer].AsSpan(slot * d, d) : _validationFeatures[layer].AsSpan((slot - _train) * d, d);
    }

    /// <summary>The training records' features at tapped layer <paramref name="layer"/> [train, D].</summary>
    public FloatTensor Train(int layer) => new(_trainFeatures[layer] ?? throw Released(layer), [_train, _featureCounts[layer]]);

    /// <summary>The early-stopping records' features at tapped layer <paramref name="layer"/> [validation, D].</summary>
    public FloatTensor Validation(int layer) => new(_validationFeatures[layer] ?? throw Released(layer), [_validation, _featureCounts[layer]]);

    /// <summary>Drops a layer's training and early-stopping features once they are standardised (fit the detectors before).</summary>
    public void Release(int layer)
    {
        _trainFeatures[layer] = null;
        _validationFeatures[layer] = null;
    }

    /// <summary>The held-out layers (and outputs) of the training then early-stopping records: what the detectors are fitted on.</summary>
    public ActivationSet DetectorFit() => new(
        HeldOutLayers,
        [.. HeldOutLayers.Select(name =>
        {
            var l = Array.IndexOf(_layers, name);
            return Concatenate(_trainFeatures[l] ?? throw Released(l), _validationFeatures[l]!, _featureCounts[l]);
        })],
        new FloatTensor([.. _trainOutputs, .. _validationOutputs], [_train + _validation, .. _outputShape]));

    /// <summary>The held-out layers (and outputs) of the held-out records: what the detectors are calibrated on.</summary>
    public ActivationSet DetectorHeldOut() => new(
        HeldOutLayers,
        [.. HeldOutLayers.Select((name, h) => new FloatTensor(_heldOutFeatures[h], [_heldOut, _featureCounts[Array.IndexOf(_layers, name)]]))],
        new FloatTensor(_heldOutOutputs, [_heldOut, .. _outputShape]));

    private static FloatTensor Concatenate(float[] first, float[] second, int width) =>
        new([.. first, .. second], [(first.Length + second.Length) / width, width]);

    private InvalidOperationException Released(int layer) => new($"The features of layer '{_layers[layer]}' were released.");
}
