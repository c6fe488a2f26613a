using NeuralFP.Core.Activations;

namespace NeuralFP.Core.Tests.Activations;

public class PoolingSpecParseTests
{
    [Theory]
    [InlineData("none", PoolingKind.None, 0)]
    [InlineData("global", PoolingKind.Grid, 1)]
    [InlineData(" Global ", PoolingKind.Grid, 1)]
    [InlineData("1x1", PoolingKind.Grid, 1)]
    [InlineData("2x2", PoolingKind.Grid, 2)]
    [InlineData("4X4", PoolingKind.Grid, 4)]
    [InlineData("7x7", PoolingKind.Grid, 7)]
    [InlineData("time", PoolingKind.Time, 0)]
    [InlineData("time1", PoolingKind.Time, 0)]
    [InlineData("Time4", PoolingKind.TimeSegments, 4)]
    [InlineData("time7", PoolingKind.TimeSegments, 7)]
    public void Parses_accepted_values(string text, PoolingKind kind, int grid)
    {
        var spec = PoolingSpec.Parse(text);

        Assert.Equal(kind, spec.Kind);
        Assert.Equal(grid, spec.Grid);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("global")]
    [InlineData("3x3")]
    [InlineData("time")]
    [InlineData("time4")]
    [InlineData("2x2+l2")]
    [InlineData("time4+L2")]
    [InlineData("none+l2")]
    public void ToString_parses_back_to_the_same_spec(string text)
        => Assert.Equal(PoolingSpec.Parse(text), PoolingSpec.Parse(PoolingSpec.Parse(text).ToString()));

    [Theory]
    [InlineData("")]
    [InlineData("avg")]
    [InlineData("2x3")]
    [InlineData("0x0")]
    [InlineData("-2x-2")]
    [InlineData("2")]
    [InlineData("2x2x2")]
    [InlineData("time0")]
    [InlineData("time-4")]
    [InlineData("times")]
    [InlineData("4time")]
    [InlineData("+l2")]
    [InlineData("2x2+l2+l2")]
    [InlineData("2x3+l2")]
    public void Rejects_other_text_naming_the_accepted_values(string text)
    {
        var e = Assert.Throws<FormatException>(() => PoolingSpec.Parse(text));

        Assert.Contains($"'{text}'", e.Message);
        Assert.Contains("\"none\"", e.Message);
        Assert.Contains("\"global\"", e.Message);
        Assert.Contains("\"2x2\"", e.Message);
        Assert.Contains("\"time4\"", e.Message);
    }

    [Fact]
    public void An_l2_suffix_keeps_the_pooling_and_marks_the_normalisation()
    {
        var spec = PoolingSpec.Parse("time4+l2");

        Assert.Equal(PoolingKind.TimeSegments, spec.Kind);
        Assert.Equal(4, spec.Grid);
        Assert.True(spec.L2Normalised);
        Assert.Equal("time4+l2", spec.ToString());
        Assert.False(PoolingSpec.Parse("time4").L2Normalised);
    }
}
