using NeuralFP.Core.Fingerprints;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>fingerprint.json's sequence pooling and L2 normalisation: read, and refused with the option named.</summary>
public class FeatureOptionsTests
{
    [Fact]
    public void Sequence_pooling_and_l2_normalisation_are_read_from_fingerprint_json()
    {
        var options = FingerprintOptions.FromJson("""{"sequencePooling":"time7","l2Normalise":"penultimate"}""");

        Assert.Equal("time7", options.SequencePooling);
        Assert.Equal(L2Layers.Penultimate, options.L2Normalise);
    }

    [Theory]
    [InlineData("""{"sequencePooling":"2x2"}""", "SequencePooling")]
    [InlineData("""{"sequencePooling":"time0"}""", "SequencePooling")]
    [InlineData("""{"l2Normalise":"all"}""", "L2Normalise")]
    [InlineData("""{"pooling":"time4"}""", "Pooling")]
    [InlineData("""{"pooling":"2x2+l2"}""", "Pooling")]
    [InlineData("""{"inputPooling":"none+l2"}""", "InputPooling")]
    public void Other_values_are_refused_naming_the_option(string json, string option)
    {
        var e = Assert.Throws<ArgumentException>(() => FingerprintOptions.FromJson(json));

        Assert.StartsWith($"{option}:", e.Message);
    }
}
