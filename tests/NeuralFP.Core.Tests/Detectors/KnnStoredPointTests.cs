using NeuralFP.Core.Detectors;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Detectors;

public sealed class KnnStoredPointTests
{
    [Fact]
    public void With_k_one_every_stored_point_scores_exactly_zero()
    {
        var reference = SyntheticActivations.Reference(perClass: 40);
        var knn = new KnnDetector(new KnnOptions { K = 1 });
        knn.Fit(reference);

        Assert.All(SyntheticActivations.Scores(knn, reference), s => Assert.Equal(0.0, s));
    }

    [Fact]
    public void Score_is_the_kth_distance_between_unit_vectors()
    {
        // Stored directions e0, e1, (e0+e1)/√2 (after normalisation); query along e0 with length 3.
        var stored = new DetectorInputs(penultimate: new FloatTensor([1, 0, 0, 4, 2, 2], [3, 2]));
        var query = new DetectorInputs(penultimate: new FloatTensor([3, 0], [1, 2]));
        double ScoreWithK(int k)
        {
            var knn = new KnnDetector(new KnnOptions { K = k });
            knn.Fit(stored);
            return SyntheticActivations.Scores(knn, query)[0];
        }

        Assert.Equal(0.0, ScoreWithK(1));
        Assert.Equal(Math.Sqrt(2 - Math.Sqrt(2)), ScoreWithK(2), 1e-6); // |e0 − (1,1)/√2|
        Assert.Equal(Math.Sqrt(2), ScoreWithK(3), 1e-6);                 // |e0 − e1|
    }

    [Fact]
    public void Bank_is_a_seeded_subsample_of_the_configured_size_and_says_it_keeps_reference_data()
    {
        var reference = SyntheticActivations.Reference(perClass: 100);
        var a = new KnnDetector(new KnnOptions { K = 5, BankSize = 60, Seed = 1 });
        var b = new KnnDetector(new KnnOptions { K = 5, BankSize = 60, Seed = 1 });
        var c = new KnnDetector(new KnnOptions { K = 5, BankSize = 60, Seed = 2 });
        a.Fit(reference);
        b.Fit(reference);
        c.Fit(reference);

        Assert.Equal(60, a.StoredRecords);
        Assert.Equal(60L * SyntheticActivations.Features * sizeof(float), a.StateBytes);
        Assert.True(a.KeepsReferenceData);
        Assert.Contains("reference data", a.Description, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("60", a.Description);
        var probe = SyntheticActivations.Reference(perClass: 10, seed: 99);
        Assert.Equal(SyntheticActivations.Scores(a, probe), SyntheticActivations.Scores(b, probe));
        Assert.NotEqual(SyntheticActivations.Scores(a, probe), SyntheticActivations.Scores(c, probe));
    }

    [Fact]
    public void A_large_batch_scored_on_every_core_equals_the_same_records_scored_in_small_batches()
    {
        var knn = new KnnDetector(new KnnOptions { K = 5, BankSize = 200, Seed = 3 });
        knn.Fit(SyntheticActivations.Reference(perClass: 100));
        var probe = SyntheticActivations.Reference(perClass: 450, seed: 11); // 1,350 records: the parallel path, a ragged last block
        var whole = SyntheticActivations.Scores(knn, probe);

        var x = probe.Penultimate!;
        var pieces = new List<double>();
        for (int start = 0; start < x.Records; start += 100)
        {
            int count = Math.Min(100, x.Records - start);
            var piece = new DetectorInputs(penultimate: new FloatTensor(x.Data[(start * x.RecordLength)..((start + count) * x.RecordLength)], [count, x.RecordLength]));
            pieces.AddRange(SyntheticActivations.Scores(knn, piece));
        }
        Assert.True(x.Records >= 1024 && x.Records % 8 != 0, $"{x.Records} records: want the parallel path and a ragged block");
        Assert.Equal(pieces, whole);
    }

    [Fact]
    public void K_larger_than_the_reference_is_refused_with_advice()
    {
        var knn = new KnnDetector(new KnnOptions { K = 50 });
        var e = Assert.Throws<ArgumentException>(() => knn.Fit(SyntheticActivations.Reference(perClass: 5)));
        Assert.Contains("Lower K", e.Message);
    }
}
