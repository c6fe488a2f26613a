using NeuralFP.Core.Detectors;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Detectors;

public sealed class DetectorInputsValidationTests
{
    [Fact]
    public void Parts_describing_different_record_counts_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new DetectorInputs(new FloatTensor(new float[6], [2, 3]), new FloatTensor(new float[12], [3, 4])));
        Assert.Contains("same records", e.Message);
    }

    [Fact]
    public void A_detector_missing_its_part_names_it()
    {
        var logitsOnly = new DetectorInputs(new FloatTensor(new float[6], [2, 3]));
        var e = Assert.Throws<ArgumentException>(() => new MahalanobisDetector().Fit(logitsOnly));
        Assert.Contains("penultimate", e.Message);
    }

    [Fact]
    public void Scoring_before_fitting_or_with_the_wrong_width_is_refused()
    {
        var reference = SyntheticActivations.Reference(perClass: 10);
        var knn = new KnnDetector(new KnnOptions { K = 3 });
        Assert.Throws<InvalidOperationException>(() => knn.Score(reference, new double[reference.Records]));

        knn.Fit(reference);
        var narrow = new DetectorInputs(penultimate: new FloatTensor(new float[4], [1, 4]));
        var e = Assert.Throws<ArgumentException>(() => knn.Score(narrow, new double[1]));
        Assert.Contains("8 values per record", e.Message);
        Assert.Throws<ArgumentException>(() => knn.Score(reference, new double[1]));
    }

    [Fact]
    public void Select_copies_the_chosen_rows_of_every_part()
    {
        var reference = SyntheticActivations.Reference(perClass: 10);

        var picked = reference.Select([29, 0]);

        Assert.Equal(2, picked.Records);
        Assert.Equal(reference.Penultimate!.Record(29).ToArray(), picked.Penultimate!.Record(0).ToArray());
        Assert.Equal(reference.Logits!.Record(0).ToArray(), picked.Logits!.Record(1).ToArray());
        Assert.Equal([2, 0], picked.Labels!);
    }

    [Fact]
    public void Unknown_detector_names_list_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => OodDetectorCatalog.Create("odin"));
        Assert.Contains("mahalanobis", e.Message);
        var dice = Assert.Throws<ArgumentException>(() => OodDetectorCatalog.Create(DetectorNames.Dice));
        Assert.Contains("LinearHeadReader", dice.Message);
    }
}
