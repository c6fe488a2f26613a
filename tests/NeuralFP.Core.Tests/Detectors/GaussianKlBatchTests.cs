using NeuralFP.Core.Detectors;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Detectors;

public sealed class GaussianKlBatchTests
{
    private static DetectorInputs Gaussian(int n, float shift, float scale, int seed)
    {
        var random = new Random(seed);
        var data = new float[n * 5];
        for (var i = 0; i < data.Length; i++) data[i] = (i % 5) + shift + scale * (1 + i % 5) * SyntheticActivations.Gaussian(random);
        return new DetectorInputs(penultimate: new FloatTensor(data, [n, 5]));
    }

    [Fact]
    public void Reference_against_itself_is_zero_and_a_mean_shift_raises_the_kl()
    {
        var reference = Gaussian(4000, 0, 1, 1);
        var detector = new GaussianKlDetector();
        detector.Fit(reference);

        var self = detector.ScoreBatch(reference);
        var shifts = new[] { 0.25f, 0.5f, 1f, 2f }.Select(s => detector.ScoreBatch(Gaussian(4000, s, 1, 2))).ToArray();

        Assert.Equal(0.0, self, 1e-5);
        for (var i = 1; i < shifts.Length; i++) Assert.True(shifts[i] > shifts[i - 1], $"KL did not grow with the shift: {string.Join(", ", shifts)}");
        // A shift of δ per unit adds Σ_j δ²/(2σ_j²) = δ²/2 · Σ 1/j² (j = 1..5) ≈ 0.732·δ² to a KL that is near 0 otherwise.
        Assert.Equal(0.732 * 4, shifts[3], 0.15);
    }

    [Fact]
    public void A_fresh_batch_from_the_same_distribution_stays_near_zero_and_a_wider_one_does_not()
    {
        var detector = new GaussianKlDetector();
        detector.Fit(Gaussian(4000, 0, 1, 1));

        Assert.InRange(detector.ScoreBatch(Gaussian(4000, 0, 1, 3)), 0, 0.01);
        // Variance ×4 per unit: KL = ½(ln(1/4) + 4 − 1) ≈ 0.807 per unit, ≈ 4.03 over 5.
        Assert.Equal(5 * 0.5 * (Math.Log(0.25) + 3), detector.ScoreBatch(Gaussian(4000, 0, 2, 3)), 0.2);
    }

    [Fact]
    public void Per_record_score_is_the_mean_squared_z_score()
    {
        var reference = new DetectorInputs(penultimate: new FloatTensor([0, 10, 2, 14], [2, 2])); // μ = (1, 12), σ = (1, 2)
        var detector = new GaussianKlDetector();
        detector.Fit(reference);

        var score = SyntheticActivations.Scores(detector, new DetectorInputs(penultimate: new FloatTensor([4, 12], [1, 2])))[0];

        Assert.Equal((9 + 0) / 2.0, score, 1e-6);
    }

    [Fact]
    public void A_single_record_batch_is_refused()
    {
        var detector = new GaussianKlDetector();
        detector.Fit(Gaussian(100, 0, 1, 1));
        var e = Assert.Throws<ArgumentException>(() => detector.ScoreBatch(Gaussian(1, 0, 1, 2)));
        Assert.Contains("at least 2", e.Message);
    }
}
