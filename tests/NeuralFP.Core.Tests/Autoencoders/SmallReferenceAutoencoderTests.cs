using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Autoencoders;

/// <summary>
/// The automatic autoencoder kind: PCA below <see cref="AutoencoderOptions.MinMlpTrainingRecords"/> training records, the
/// MLP from there; and why, on a small table whose columns obey tight linear relations (as a table's radius, perimeter
/// and area do): a record whose columns are each rescaled stays inside every column's usual range, yet breaks them.
/// </summary>
public sealed class SmallReferenceAutoencoderTests
{
    [Fact]
    public void Auto_fits_pca_below_the_threshold_and_the_mlp_from_it_while_a_named_kind_is_kept()
    {
        var auto = new AutoencoderOptions();
        Assert.Equal(AutoencoderKind.Auto, auto.Kind);
        Assert.Equal(AutoencoderKind.Pca, auto.KindFor(AutoencoderOptions.MinMlpTrainingRecords - 1));
        Assert.Equal(AutoencoderKind.Mlp, auto.KindFor(AutoencoderOptions.MinMlpTrainingRecords));
        Assert.Equal(AutoencoderKind.Mlp, new AutoencoderOptions { Kind = AutoencoderKind.Mlp }.KindFor(10));
        Assert.Equal(AutoencoderKind.Pca, new AutoencoderOptions { Kind = AutoencoderKind.Pca }.KindFor(100_000));
    }

    [Fact]
    public void On_a_small_table_auto_fits_pca_and_flags_records_that_break_its_linear_relations()
    {
        var (train, heldOut, broken) = Table(trainRows: 200, heldOutRows: 200);
        var autoencoder = AutoencoderTrainer.Fit(train, heldOut.Slice(0, 40), new AutoencoderOptions());

        Assert.Equal(AutoencoderKind.Pca, autoencoder.Training!.Kind);
        // The threshold a fingerprint would set: the 95th percentile of held-out errors (records the fit did not see).
        var threshold = Percentile(autoencoder.Errors(heldOut.Slice(40, 160)), 0.95);
        var flagged = autoencoder.Errors(broken).Count(e => e > threshold) / (double)broken.Records;
        Assert.True(flagged >= 0.95, $"{flagged:P0} of the records that break the relations flagged at the held-out 95th percentile");
    }

    [Fact]
    public void The_records_that_break_the_relations_stay_inside_every_columns_usual_range()
    {
        // What makes the test above about relations, not ranges: a per-column range check passes most broken records.
        var (train, _, broken) = Table(trainRows: 200, heldOutRows: 200);
        int width = train.RecordLength;
        var inside = 0;
        for (var r = 0; r < broken.Records; r++)
        {
            var ok = true;
            for (var j = 0; j < width && ok; j++)
            {
                var column = Enumerable.Range(0, train.Records).Select(i => train.Data[i * width + j]).ToArray();
                var value = broken.Data[r * width + j];
                ok = value >= column.Min() && value <= column.Max();
            }
            if (ok) inside++;
        }
        Assert.True(inside >= 0.7 * broken.Records, $"only {inside} of {broken.Records} broken records inside every column's training range");
    }

    /// <summary>
    /// Standardised rows of 12 columns driven by 3 latent factors (tight linear relations, noise 0.05), and the held-out
    /// rows with every column multiplied by 1 ± U(0.2, 0.5), the panel's calibration drift.
    /// </summary>
    private static (FloatTensor Train, FloatTensor HeldOut, FloatTensor Broken) Table(int trainRows, int heldOutRows)
    {
        const int Width = 12, Factors = 3;
        var random = new Random(11);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var mixing = Enumerable.Range(0, Factors * Width).Select(_ => Normal()).ToArray();
        float[] Rows(int count)
        {
            var rows = new float[count * Width];
            var z = new double[Factors];
            for (var r = 0; r < count; r++)
            {
                for (var f = 0; f < Factors; f++) z[f] = Normal();
                for (var j = 0; j < Width; j++)
                {
                    double v = 0.05 * Normal();
                    for (var f = 0; f < Factors; f++) v += z[f] * mixing[f * Width + j];
                    rows[r * Width + j] = (float)v;
                }
            }
            return rows;
        }
        var train = new FloatTensor(Rows(trainRows), [trainRows, Width]);
        var heldOut = new FloatTensor(Rows(heldOutRows), [heldOutRows, Width]);
        var factor = Enumerable.Range(0, Width).Select(_ => (random.NextDouble() < 0.5 ? -1 : 1) * (0.2 + 0.3 * random.NextDouble()) + 1).ToArray();
        var broken = new FloatTensor([.. heldOut.Data.Select((v, i) => (float)(v * factor[i % Width]))], [heldOutRows, Width]);
        return (Standardise(train, train), Standardise(heldOut, train), Standardise(broken, train));
    }

    private static FloatTensor Standardise(FloatTensor x, FloatTensor reference)
    {
        var standardizer = Standardizer.Fit(reference);
        return standardizer.Transform(x);
    }

    private static float Percentile(float[] values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Ceiling(q * sorted.Length) - 1];
    }
}
