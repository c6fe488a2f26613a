using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Fingerprints;

/// <summary>Reference data that cannot give a fingerprint however often the build is tried.</summary>
internal static class ReferenceCheck
{
    /// <summary>
    /// Identical records (e.g. all ones, all zeros) give every layer a zero spread: the autoencoders learn nothing and
    /// the held-out errors tie, so no threshold can be calibrated.
    /// </summary>
    /// <exception cref="InvalidRecordsException">Every record equals the first.</exception>
    public static void RequireVariation(FloatTensor reference)
    {
        var first = reference.Record(0);
        for (var r = 1; r < reference.Records; r++)
            if (!reference.Record(r).SequenceEqual(first)) return;
        throw new InvalidRecordsException(
            $"All {reference.Records} reference records are identical; a fingerprint learns the spread of the training data. Upload a sample of the real training records.");
    }
}
