using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Autoencoders;

public class StandardizerTests
{
    [Fact]
    public void Transformed_features_have_zero_mean_and_unit_deviation()
    {
        var raw = new SyntheticData(width: 37, rank: 5, noise: 0.3, seed: 1).OnManifold(3000);
        var standardizer = Standardizer.Fit(raw);
        var z = standardizer.Transform(raw);

        Assert.Equal(new[] { 3000, 37 }, z.Shape);
        for (int j = 0; j < 37; j++)
        {
            double sum = 0, squares = 0;
            for (int r = 0; r < 3000; r++)
            {
                double x = z.Data[r * 37 + j];
                sum += x;
                squares += x * x;
            }
            double mean = sum / 3000;
            Assert.Equal(0.0, mean, 1e-4);
            Assert.Equal(1.0, Math.Sqrt(squares / 3000 - mean * mean), 1e-3);
        }
    }

    [Fact]
    public void Columns_in_different_units_keep_their_own_spread_under_the_median_reference_and_not_under_the_pooled_one()
    {
        // A table's raw columns: four in units of ~10³ (spread 300), six in units of ~10⁻² (spread 0.01).
        var random = new Random(3);
        const int Rows = 500, Width = 10;
        var values = new float[Rows * Width];
        for (var r = 0; r < Rows; r++)
            for (var j = 0; j < Width; j++)
                values[r * Width + j] = j < 4 ? (float)(1000 + 300 * (random.NextDouble() - 0.5) * 3.46) : (float)(0.1 + 0.01 * (random.NextDouble() - 0.5) * 3.46);
        var table = new FloatTensor(values, [Rows, Width]);

        var pooled = Standardizer.Fit(table, Standardizer.RelativeScaleFloor);
        var median = Standardizer.Fit(table, Standardizer.RelativeScaleFloor, medianReference: true);

        // Pooled spread ≈ 190: the floor (≈ 0.19) lifts the small columns' scale ~19× above their spread of 0.01.
        for (var j = 4; j < Width; j++) Assert.InRange(pooled.Scale[j], 0.15, 0.25);
        for (var j = 4; j < Width; j++) Assert.InRange(median.Scale[j], 0.009, 0.011);
        for (var j = 0; j < 4; j++) Assert.Equal(pooled.Scale[j], median.Scale[j]);
    }

    [Fact]
    public void A_constant_feature_gets_a_positive_scale_and_standardises_to_zero()
    {
        var data = new float[200 * 3];
        var random = new Random(2);
        for (int r = 0; r < 200; r++)
        {
            data[r * 3] = (float)random.NextDouble();
            data[r * 3 + 1] = 4.5f; // e.g. a dead ReLU unit with a bias
            data[r * 3 + 2] = (float)(10 * random.NextDouble());
        }
        var standardizer = Standardizer.Fit(new FloatTensor(data, [200, 3]));
        Assert.True(standardizer.Scale[1] > 0 && float.IsFinite(standardizer.Scale[1]));
        Assert.Equal(4.5f, standardizer.Mean[1]);

        var z = standardizer.Transform(new FloatTensor(data, [200, 3]));
        Assert.All(z.Data, x => Assert.True(float.IsFinite(x)));
        for (int r = 0; r < 200; r++) Assert.Equal(0f, z.Data[r * 3 + 1]);
    }

    [Fact]
    public void All_constant_features_still_give_finite_scales()
    {
        var standardizer = Standardizer.Fit(new FloatTensor(new float[10 * 4], [10, 4]));
        Assert.All(standardizer.Scale, s => Assert.True(s > 0 && float.IsFinite(s)));
    }

    [Fact]
    public void Bad_inputs_are_rejected_with_a_reason()
    {
        var withNaN = new float[] { 1, 2, 3, float.NaN };
        var nan = Assert.Throws<ArgumentException>(() => Standardizer.Fit(new FloatTensor(withNaN, [2, 2])));
        Assert.Contains("Record 1", nan.Message);

        var standardizer = Standardizer.Fit(new FloatTensor([1, 2, 3, 4], [2, 2]));
        var width = Assert.Throws<ArgumentException>(() => standardizer.Transform(new FloatTensor([1, 2, 3], [1, 3])));
        Assert.Contains("3 features", width.Message);

        Assert.Throws<ArgumentException>(() => Standardizer.Fit(new FloatTensor([], [0, 2])));
        Assert.Throws<ArgumentException>(() => new Standardizer([0f, 0f], [1f, 0f]));
    }
}
