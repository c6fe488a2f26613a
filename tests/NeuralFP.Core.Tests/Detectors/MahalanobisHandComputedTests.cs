using NeuralFP.Core.Detectors;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Detectors;

public sealed class MahalanobisHandComputedTests
{
    // Class 0 around (2, 1), class 1 around (11, 11), each with centred points (2,1), (−2,−1), (1,−1), (−1,1):
    // Σ r rᵀ per class = [[10, 2], [2, 4]], so the tied covariance (n = 8) is S = [[2.5, 0.5], [0.5, 1]].
    private static DetectorInputs Reference()
    {
        float[] offsets = [2, 1, -2, -1, 1, -1, -1, 1];
        var rows = new float[16];
        var labels = new int[8];
        for (var c = 0; c < 2; c++)
            for (var i = 0; i < 4; i++)
            {
                var r = c * 4 + i;
                labels[r] = c;
                rows[2 * r] = (c == 0 ? 2 : 11) + offsets[2 * i];
                rows[2 * r + 1] = (c == 0 ? 1 : 11) + offsets[2 * i + 1];
            }
        return new DetectorInputs(penultimate: new FloatTensor(rows, [8, 2]), labels: labels);
    }

    private static double ScoreOf(MahalanobisDetector detector, float x, float y) =>
        SyntheticActivations.Scores(detector, new DetectorInputs(penultimate: new FloatTensor([x, y], [1, 2])))[0];

    [Fact]
    public void Without_shrinkage_the_score_is_the_distance_to_the_nearest_mean()
    {
        var detector = new MahalanobisDetector(new MahalanobisOptions { Shrinkage = 0 });
        detector.Fit(Reference());

        // S⁻¹ = [[1, −0.5], [−0.5, 2.5]] / 2.25. x = (5, 4): to class 0, d = (3, 3): (9 − 9 + 22.5)/2.25 = 10;
        // to class 1, d = (−6, −7): (36 − 42 + 122.5)/2.25 ≈ 51.8; the minimum is 10.
        Assert.Equal(10.0, ScoreOf(detector, 5, 4), 1e-4);
        // At a class mean the distance is 0.
        Assert.Equal(0.0, ScoreOf(detector, 11, 11), 1e-4);
    }

    [Fact]
    public void Fixed_shrinkage_blends_the_covariance_with_its_mean_variance()
    {
        var detector = new MahalanobisDetector(new MahalanobisOptions { Shrinkage = 0.5 });
        detector.Fit(Reference());

        // Σ* = 0.5·S + 0.5·(tr S / 2)·I = [[2.125, 0.25], [0.25, 1.375]], det = 2.859375.
        // d = (3, 3): (9·1.375 − 2·9·0.25 + 9·2.125) / 2.859375 = 27 / 2.859375.
        Assert.Equal(27 / 2.859375, ScoreOf(detector, 5, 4), 1e-4);
        Assert.Equal(0.5, detector.ShrinkageUsed);
    }

    [Fact]
    public void Ledoit_wolf_shrinks_more_when_the_covariance_is_isotropic_and_less_when_it_is_not()
    {
        static double EstimatedShrinkage(float xScale, float yScale, int n)
        {
            var random = new Random(5);
            var rows = new float[n * 4];
            for (var i = 0; i < n; i++)
            {
                rows[4 * i] = xScale * SyntheticActivations.Gaussian(random);
                rows[4 * i + 1] = yScale * SyntheticActivations.Gaussian(random);
                rows[4 * i + 2] = yScale * SyntheticActivations.Gaussian(random);
                rows[4 * i + 3] = yScale * SyntheticActivations.Gaussian(random);
            }
            var detector = new MahalanobisDetector();
            detector.Fit(new DetectorInputs(penultimate: new FloatTensor(rows, [n, 4]), labels: new int[n]));
            return detector.ShrinkageUsed;
        }

        var isotropic = EstimatedShrinkage(1, 1, 50);
        var elongated = EstimatedShrinkage(10, 1, 5000);

        Assert.InRange(isotropic, 0.5, 1.0);
        Assert.InRange(elongated, 0.0, 0.05);
    }
}
