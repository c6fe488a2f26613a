using NeuralFP.Core.Activations;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Detectors;

/// <summary>
/// What the detectors read from one forward pass over N records. Each part is optional because no
/// detector needs all of them; a detector missing the part it needs throws and names it.
/// </summary>
public sealed class DetectorInputs
{
    /// <param name="logits">Pre-softmax model outputs [N, K]. Tap the tensor <see cref="Onnx.LinearHead.LogitsTensor"/> names when the model ends in a Softmax.</param>
    /// <param name="penultimate">Features feeding the last linear layer [N, D].</param>
    /// <param name="patternLayer">Activations of the ReLU layer the activation-pattern monitor watches [N, P].</param>
    /// <param name="labels">Optional true classes of the records (length N), used by class-conditional fits when given.</param>
    public DetectorInputs(FloatTensor? logits = null, FloatTensor? penultimate = null, FloatTensor? patternLayer = null, int[]? labels = null)
    {
        if (logits is null && penultimate is null && patternLayer is null)
            throw new ArgumentException("Detector inputs are empty: give at least the logits, the penultimate features or the pattern layer's activations.");
        Records = (logits ?? penultimate ?? patternLayer)!.Records;
        CheckRecords(logits, nameof(logits), Records);
        CheckRecords(penultimate, nameof(penultimate), Records);
        CheckRecords(patternLayer, nameof(patternLayer), Records);
        if (labels is not null && labels.Length != Records)
            throw new ArgumentException($"There are {labels.Length} labels for {Records} records; give one label per record or none.", nameof(labels));
        Logits = logits;
        Penultimate = penultimate;
        PatternLayer = patternLayer;
        Labels = labels;
    }

    public FloatTensor? Logits { get; }

    public FloatTensor? Penultimate { get; }

    public FloatTensor? PatternLayer { get; }

    public int[]? Labels { get; }

    /// <summary>The fingerprint's integrated score per record (higher = more OOD), read by the combined detector.</summary>
    public double[]? FingerprintScores { get; init; }

    /// <summary>The fingerprint's statistics per record (layer errors, then latent distances), interleaved [record, statistic]:
    /// what the combined detector's Gaussian rule reads. <see cref="FingerprintStatisticCount"/> per record.</summary>
    public float[]? FingerprintStatistics { get; init; }

    public int FingerprintStatisticCount { get; init; }

    public int Records { get; }

    /// <summary>Picks the parts out of tapped activations: the set's outputs are taken as the logits.</summary>
    /// <param name="penultimateLayer">Tapped layer holding the penultimate features, or null.</param>
    /// <param name="patternLayer">Tapped layer the pattern monitor watches, or null.</param>
    public static DetectorInputs FromActivations(ActivationSet activations, string? penultimateLayer, string? patternLayer = null, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(activations);
        return new DetectorInputs(
            activations.Outputs,
            penultimateLayer is null ? null : activations[penultimateLayer],
            patternLayer is null ? null : activations[patternLayer],
            labels);
    }

    /// <summary>A copy holding only the given records, in the given order (for fit / held-out splits).</summary>
    public DetectorInputs Select(ReadOnlySpan<int> rows)
    {
        foreach (var r in rows)
            if ((uint)r >= (uint)Records) throw new ArgumentOutOfRangeException(nameof(rows), $"Row {r} is outside the {Records} records.");
        int[]? labels = null;
        if (Labels is not null)
        {
            labels = new int[rows.Length];
            for (var i = 0; i < rows.Length; i++) labels[i] = Labels[rows[i]];
        }
        double[]? fingerprint = null;
        if (FingerprintScores is not null)
        {
            fingerprint = new double[rows.Length];
            for (var i = 0; i < rows.Length; i++) fingerprint[i] = FingerprintScores[rows[i]];
        }
        float[]? statistics = null;
        if (FingerprintStatistics is not null)
        {
            var k = FingerprintStatisticCount;
            statistics = new float[rows.Length * k];
            for (var i = 0; i < rows.Length; i++) FingerprintStatistics.AsSpan(rows[i] * k, k).CopyTo(statistics.AsSpan(i * k));
        }
        return new DetectorInputs(SelectRows(Logits, rows), SelectRows(Penultimate, rows), SelectRows(PatternLayer, rows), labels)
        {
            FingerprintScores = fingerprint, FingerprintStatistics = statistics, FingerprintStatisticCount = FingerprintStatisticCount,
        };
    }

    internal FloatTensor RequireLogits(string detector) => Logits
        ?? throw new ArgumentException($"Detector '{detector}' needs the model's logits [N, K]; pass them as DetectorInputs.Logits.");

    internal FloatTensor RequirePenultimate(string detector) => Penultimate
        ?? throw new ArgumentException($"Detector '{detector}' needs the penultimate features [N, D] (the input of the last linear layer); pass them as DetectorInputs.Penultimate.");

    internal FloatTensor RequirePatternLayer(string detector) => PatternLayer
        ?? throw new ArgumentException($"Detector '{detector}' needs the watched ReLU layer's activations [N, P]; pass them as DetectorInputs.PatternLayer.");

    /// <summary>Classes to fit class-conditional state on: the labels when given and preferred, else the arg-max of the logits.</summary>
    internal int[] FitClasses(string detector, bool preferLabels)
    {
        if (preferLabels && Labels is not null) return Labels;
        var logits = RequireLogits(detector);
        var classes = new int[Records];
        for (var i = 0; i < Records; i++) classes[i] = Numerics.LogitMath.ArgMax(logits.Record(i));
        return classes;
    }

    private static void CheckRecords(FloatTensor? tensor, string name, int records)
    {
        if (tensor is null) return;
        if (tensor.Shape.Length < 2)
            throw new ArgumentException($"{name} must be [N, features]; got {tensor}.", name);
        if (tensor.Records != records)
            throw new ArgumentException($"{name} holds {tensor.Records} records but the other inputs hold {records}; every part must describe the same records.", name);
        if (tensor.RecordLength == 0)
            throw new ArgumentException($"{name} has no features per record ({tensor}).", name);
    }

    private static FloatTensor? SelectRows(FloatTensor? tensor, ReadOnlySpan<int> rows) => tensor?.Gather(rows);
}
