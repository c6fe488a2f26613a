namespace NeuralFP.Core.Tests.Detectors;

public sealed class FarPointScoresHigherTests
{
    public static TheoryData<string> Names => DetectorFactory.Names;

    [Theory]
    [MemberData(nameof(Names))]
    public void Far_point_scores_above_every_reference_point(string name)
    {
        var reference = SyntheticActivations.Reference();
        var detector = DetectorFactory.Create(name);
        detector.Fit(reference);

        var own = SyntheticActivations.Scores(detector, reference);
        var far = SyntheticActivations.Scores(detector, SyntheticActivations.Far())[0];

        Assert.All(own, s => Assert.True(double.IsFinite(s), $"{name} gave a non-finite reference score"));
        Assert.True(far > own.Max(), $"{name}: far point scored {far}, but a reference point scored {own.Max()}");
    }
}
