namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// Seeded three-way split of the reference records: autoencoder training, early-stopping
/// validation, and the held-out records whose errors define the fingerprint and its thresholds.
/// The training and validation parts are capped (<see cref="FingerprintOptions.MaxTrainingRecords"/>): the records
/// beyond the cap are left out, so what a build holds depends on the cap, not on the reference's size.
/// </summary>
internal sealed record ReferenceSplit(int[] Train, int[] Validation, int[] HeldOut)
{
    /// <summary>Records the autoencoders' split would take without a cap and was capped to (0 when nothing was left out).</summary>
    public int LeftOut { get; init; }

    /// <summary>Every held-out and early-stopping record (none of which the autoencoders trained on): the calibration set.</summary>
    public int[] Calibration { get; } = Sorted([.. HeldOut, .. Validation]);

    /// <summary>The autoencoders' records and the detectors' fit records: training records then validation records.</summary>
    public int[] Fit => [.. Train, .. Validation];

    /// <param name="maxTrainingRecords">At most this many training records, and proportionally few validation records.</param>
    /// <param name="unseenFrom">
    /// The first record the model never trained on (<see cref="FingerprintOptions.UnseenFrom"/>), or null: when set, the
    /// held-out and validation records all come from there on, and the training records from before it.
    /// </param>
    public static ReferenceSplit Create(int records, double heldOutFraction, double validationFraction, int seed, int maxTrainingRecords = int.MaxValue, int? unseenFrom = null)
    {
        if (unseenFrom is int first) return CalibratedOnUnseen(records, first, heldOutFraction, validationFraction, seed, maxTrainingRecords);
        var sizes = SizesFor(records, heldOutFraction, validationFraction, maxTrainingRecords);
        // One seeded shuffle: the first records of each part are a uniform sample of it, the same for every layer, and an
        // uncapped split is exactly the split of earlier versions (same seed, same records).
        var order = Enumerable.Range(0, records).ToArray();
        new Random(seed).Shuffle(order);
        var train = records - sizes.HeldOut - sizes.FullValidation;
        return new ReferenceSplit(
            Sorted(order.AsSpan(0, sizes.Train)),
            Sorted(order.AsSpan(train, sizes.Validation)),
            Sorted(order.AsSpan(train + sizes.FullValidation, sizes.HeldOut)))
        {
            LeftOut = train - sizes.Train + sizes.FullValidation - sizes.Validation,
        };
    }

    /// <summary>Training records from before <paramref name="first"/> (a seeded sample up to the cap); held-out and validation records from it on.</summary>
    private static ReferenceSplit CalibratedOnUnseen(int records, int first, double heldOutFraction, double validationFraction, int seed, int maxTrainingRecords)
    {
        if (first < 1 || first >= records)
            throw new ArgumentOutOfRangeException(nameof(first), first, $"The first unseen record must be in [1, {records - 1}] for {records} records.");
        var sizes = SizesFor(records, heldOutFraction, validationFraction, maxTrainingRecords, first);
        var random = new Random(seed);
        var seen = Enumerable.Range(0, first).ToArray();
        random.Shuffle(seen);
        var unseen = Enumerable.Range(first, records - first).ToArray();
        random.Shuffle(unseen);
        return new ReferenceSplit(Sorted(seen.AsSpan(0, sizes.Train)), Sorted(unseen.AsSpan(0, sizes.Validation)), Sorted(unseen.AsSpan(sizes.Validation, sizes.HeldOut)))
        {
            LeftOut = first - sizes.Train,
        };
    }

    /// <summary>The sizes of the parts <see cref="Create"/> makes, without touching any record (for the build estimate).</summary>
    public static (int Train, int Validation, int HeldOut, int FullValidation) SizesFor(int records, double heldOutFraction, double validationFraction, int maxTrainingRecords, int? unseenFrom = null)
    {
        if (unseenFrom is int first)
        {
            // The unseen records split as a whole reference's calibration records do: held-out to validation as h to v·(1 − h).
            var unseen = records - first;
            var share = validationFraction * (1 - heldOutFraction) / (heldOutFraction + validationFraction * (1 - heldOutFraction));
            var validationRecords = Math.Clamp((int)Math.Round(unseen * share), 1, unseen - 1);
            return (Math.Min(first, maxTrainingRecords), validationRecords, unseen - validationRecords, validationRecords);
        }
        var heldOut = (int)Math.Round(records * heldOutFraction);
        var validation = Math.Max(1, (int)Math.Round((records - heldOut) * validationFraction));
        var train = records - heldOut - validation;
        var maxValidation = (int)Math.Min(int.MaxValue, Math.Max(1, Math.Round(maxTrainingRecords * validationFraction / (1 - validationFraction))));
        return (Math.Min(train, maxTrainingRecords), Math.Min(validation, maxValidation), heldOut, validation);
    }

    // Sorted indices keep row gathers cache-friendly; the split itself is already random.
    private static int[] Sorted(ReadOnlySpan<int> indices)
    {
        var copy = indices.ToArray();
        Array.Sort(copy);
        return copy;
    }
}
