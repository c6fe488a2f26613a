namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// Seeded three-way split of the reference records: autoencoder training, early-stopping
/// validation, and the held-out records whose errors define the fingerprint and its thresholds.
/// </summary>
internal sealed record ReferenceSplit(int[] Train, int[] Validation, int[] HeldOut)
{
    /// <summary>Every record the autoencoders did not train on (held-out and early-stopping ones): the calibration set.</summary>
    public int[] Calibration { get; } = Sorted([.. HeldOut, .. Validation]);

    public static ReferenceSplit Create(int records, double heldOutFraction, double validationFraction, int seed)
    {
        var order = Enumerable.Range(0, records).ToArray();
        new Random(seed).Shuffle(order);
        var heldOut = (int)Math.Round(records * heldOutFraction);
        var validation = Math.Max(1, (int)Math.Round((records - heldOut) * validationFraction));
        var train = records - heldOut - validation;
        return new ReferenceSplit(
            Sorted(order.AsSpan(0, train)),
            Sorted(order.AsSpan(train, validation)),
            Sorted(order.AsSpan(train + validation, heldOut)));
    }

    // Sorted indices keep row gathers cache-friendly; the split itself is already random.
    private static int[] Sorted(ReadOnlySpan<int> indices)
    {
        var copy = indices.ToArray();
        Array.Sort(copy);
        return copy;
    }
}
