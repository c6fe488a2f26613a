using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Activations;

/// <summary>
/// A table's marginal surprise: Σ_j −ln p̂_j(x_j) over the record's columns, p̂_j a histogram of column j on the
/// reference's training records (HBOS, Goldstein and Dengel 2012). An autoencoder judges how the columns go together; this
/// judges each column against its own past, so a value no training record had (a yes/no flag at 0.4, a count of 2.5,
/// an amount in another unit) shows even when the other columns still explain it. The density integrations read it after
/// the input's other statistics (<see cref="Fingerprints.FingerprintOptions.InputMarginalBins"/>); it applies to tables,
/// records with one axis, whose columns each carry a meaning, not to images, whose pixels do not.
/// </summary>
/// <remarks>
/// Column j's values are cut into <see cref="Bins"/> equal bins over its mean ± <see cref="RangeInSpreads"/> standard
/// deviations, plus one bin below and one above; each bin's probability is its share of the training records with one
/// pseudo-record per bin (Laplace), so an empty bin costs ln(n + bins + 2), finite. A value's bin is
/// clamp(⌊x·<see cref="Slope"/>_j + <see cref="Offset"/>_j⌋, 0, bins + 1), which the scorer graph computes with the same
/// floats.
/// </remarks>
public sealed record InputMarginals(float[] Slope, float[] Offset, float[] Surprise, int Bins)
{
    public const string Output = "nfp_input_marginals";

    /// <summary>The statistic's name in fingerprint.json's notes.</summary>
    public const string Name = "input marginal surprise";

    /// <summary>Half the histogram's range, in the column's standard deviations; values beyond fall in the outer bins.</summary>
    public const double RangeInSpreads = 5;

    /// <summary>Most histogram cells (columns × (bins + 2)) a fingerprint holds: 16 MiB of scorer.onnx. A wider table gets
    /// no marginal surprise rather than a scorer that grows with its width times the bins.</summary>
    public const long MaxCells = 4L << 20;

    /// <summary>Whether a table of <paramref name="columns"/> columns fits <see cref="MaxCells"/> at <paramref name="bins"/> bins.</summary>
    public static bool Fits(long columns, int bins) => columns * (bins + 2L) <= MaxCells;

    /// <summary>Bins per column including the two outer ones.</summary>
    public int Cells => Bins + 2;

    /// <summary>Columns per record.</summary>
    public int Width => Slope.Length;

    /// <summary>Whether records of this shape are a table's rows: one axis longer than one.</summary>
    public static bool Applies(IReadOnlyList<int> recordShape)
    {
        ArgumentNullException.ThrowIfNull(recordShape);
        return recordShape.Count(d => d > 1) == 1;
    }

    /// <summary>Fits each column's histogram on the training records [N, D] (raw values).</summary>
    /// <exception cref="ArgumentException">No records, fewer than two bins, or a value is NaN or infinite.</exception>
    public static InputMarginals Fit(FloatTensor records, int bins)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 2);
        int n = records.Records, width = records.RecordLength;
        // Each column's mean and spread as a table's input layer standardises them: a spread floored at a thousandth of
        // the median column's, so a constant column's one value fills one bin (the standardizer also refuses NaN).
        var columns = Autoencoders.Standardizer.Fit(records, Autoencoders.Standardizer.RelativeScaleFloor, medianReference: true);
        var slope = new float[width];
        var offset = new float[width];
        for (int j = 0; j < width; j++)
        {
            double spread = columns.Scale[j], perBin = 2 * RangeInSpreads * spread / bins;
            slope[j] = (float)(1 / perBin);
            // ⌊(x − (mean − range)) / perBin⌋ + 1: bin 1 starts at the range's low end, bin 0 holds what lies below it.
            offset[j] = (float)(1 - (columns.Mean[j] - RangeInSpreads * spread) / perBin);
        }
        var counts = new int[width * (bins + 2)];
        var marginals = new InputMarginals(slope, offset, new float[width * (bins + 2)], bins);
        for (int r = 0; r < n; r++)
        {
            var record = records.Data.AsSpan(r * width, width);
            for (int j = 0; j < width; j++) counts[j * (bins + 2) + marginals.Cell(j, record[j])]++;
        }
        double total = Math.Log(n + bins + 2.0);
        for (int c = 0; c < counts.Length; c++) marginals.Surprise[c] = (float)(total - Math.Log(counts[c] + 1.0));
        return marginals;
    }

    /// <summary>Column <paramref name="column"/>'s bin of <paramref name="value"/>, in [0, bins + 1].</summary>
    public int Cell(int column, float value)
    {
        float position = MathF.Floor(value * Slope[column] + Offset[column]);
        return position <= 0 ? 0 : position >= Bins + 1 ? Bins + 1 : (int)position;
    }

    /// <summary>The statistic of one record (raw values).</summary>
    public float Measure(ReadOnlySpan<float> record)
    {
        if (record.Length != Width) throw new ArgumentException($"A record of {record.Length} values for histograms of {Width} columns.", nameof(record));
        float sum = 0;
        for (int j = 0; j < Width; j++) sum += Surprise[j * Cells + Cell(j, record[j])];
        return sum;
    }
}
