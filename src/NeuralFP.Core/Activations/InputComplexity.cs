namespace NeuralFP.Core.Activations;

/// <summary>
/// Two cheap complexity measures of a raw input record, which the Gaussian integrations read beside the layers' log
/// errors (<see cref="Fingerprints.FingerprintOptions.InputComplexity"/>). Simple inputs (digits: a few strokes on black) are
/// easy to reconstruct whatever their distribution, so a reconstruction error alone calls them typical (Serrà et al. 2020,
/// "Input complexity and out-of-distribution detection with likelihood-based generative models"); with the record's own
/// complexity beside it, the density judges each error against the complexity it comes with.
/// Energy: the mean square of the record's values. Variation: the mean absolute difference between neighbours in the
/// flattened record along its last axis and, when the record has two axes longer than one, across rows (i and i + width);
/// a neighbour pair is any two consecutive values of the flattened record, so pairs that straddle a row end count too
/// (one form for every input shape, and the one the scorer graph computes as two dilated differences).
/// </summary>
public static class InputComplexity
{
    public const string EnergyOutput = "nfp_input_energy";
    public const string VariationOutput = "nfp_input_variation";

    /// <summary>The scorer outputs, in the order the integration reads them (after the latent distances).</summary>
    public static IReadOnlyList<string> Outputs { get; } = [EnergyOutput, VariationOutput];

    /// <summary>The statistics' names in fingerprint.json's notes.</summary>
    public static IReadOnlyList<string> Names { get; } = ["input energy", "input variation"];

    /// <summary>The record's length, and the row width for the across-rows differences (0 when the record has fewer than
    /// two axes longer than one).</summary>
    public static (int Length, int RowWidth) Layout(IReadOnlyList<int> recordShape)
    {
        ArgumentNullException.ThrowIfNull(recordShape);
        var length = 1;
        foreach (var d in recordShape)
        {
            if (d < 1) throw new ArgumentException($"The record shape [{string.Join(",", recordShape)}] has a dimension below 1.", nameof(recordShape));
            length = checked(length * d);
        }
        var long1 = recordShape.Where(d => d > 1).ToArray();
        return (length, long1.Length >= 2 ? long1[^1] : 0);
    }

    /// <summary>Energy and variation of one record laid out as <see cref="Layout"/> says.</summary>
    public static (float Energy, float Variation) Measure(ReadOnlySpan<float> record, int rowWidth)
    {
        var d = record.Length;
        if (d == 0) throw new ArgumentException("An empty record has no complexity.", nameof(record));
        double energy = 0, along = 0, across = 0;
        for (var i = 0; i < d; i++) energy += record[i] * (double)record[i];
        for (var i = 0; i + 1 < d; i++) along += Math.Abs(record[i + 1] - (double)record[i]);
        if (rowWidth > 0)
            for (var i = 0; i + rowWidth < d; i++) across += Math.Abs(record[i + rowWidth] - (double)record[i]);
        var pairs = Pairs(d, rowWidth);
        return ((float)(energy / d), pairs == 0 ? 0f : (float)((along + across) / pairs));
    }

    /// <summary>Neighbour pairs a record of <paramref name="length"/> values has.</summary>
    public static long Pairs(int length, int rowWidth) => Math.Max(length - 1, 0) + (rowWidth > 0 ? Math.Max(length - rowWidth, 0) : 0);
}
