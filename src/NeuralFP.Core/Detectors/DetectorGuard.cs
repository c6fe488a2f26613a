using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Detectors;

/// <summary>The argument checks every detector makes, with messages that say what to fix.</summary>
internal static class DetectorGuard
{
    public static void Fitted(bool isFitted, string detector)
    {
        if (!isFitted) throw new InvalidOperationException($"Detector '{detector}' is not fitted; call Fit on reference records (or load saved state) before Score.");
    }

    public static void ScoreSpan(DetectorInputs records, Span<double> scores)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (scores.Length != records.Records)
            throw new ArgumentException($"The score span holds {scores.Length} values for {records.Records} records; give one slot per record.", nameof(scores));
    }

    public static void NotEmpty(DetectorInputs reference, string detector, int minimum = 1)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Records < minimum)
            throw new ArgumentException($"Detector '{detector}' needs at least {minimum} reference records to fit; got {reference.Records}.", nameof(reference));
    }

    public static void Width(FloatTensor tensor, int expected, string detector, string part)
    {
        if (tensor.RecordLength != expected)
            throw new ArgumentException($"Detector '{detector}' was fitted on {part} with {expected} values per record, but these records have {tensor.RecordLength}; score with the same layer of the same model.");
    }
}
