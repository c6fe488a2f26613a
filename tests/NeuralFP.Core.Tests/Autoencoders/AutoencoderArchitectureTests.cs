using NeuralFP.Core.Autoencoders;

namespace NeuralFP.Core.Tests.Autoencoders;

public class AutoencoderArchitectureTests
{
    [Theory]
    [InlineData(784, 128, 64)]  // 196 clamped to MaxBottleneck
    [InlineData(128, 128, 32)]
    [InlineData(32, 64, 8)]     // hidden = 2·D below HiddenSize
    [InlineData(10, 20, 3)]     // logits: round(2.5) away from zero
    [InlineData(4, 16, 2)]      // hidden floor 16; bottleneck floor MinBottleneck
    [InlineData(2, 16, 1)]      // bottleneck never reaches the width
    public void Default_options_give_the_documented_widths(int width, int hidden, int bottleneck)
    {
        var architecture = AutoencoderArchitecture.For(width, new AutoencoderOptions());
        Assert.Equal(new AutoencoderArchitecture(width, hidden, bottleneck), architecture);
    }

    [Fact]
    public void HiddenSize_zero_means_no_hidden_layer()
    {
        var architecture = AutoencoderArchitecture.For(100, new AutoencoderOptions { HiddenSize = 0 });
        Assert.Equal(0, architecture.Hidden);
        Assert.Equal(25, architecture.Bottleneck);
    }

    [Fact]
    public void A_single_feature_cannot_be_compressed()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => AutoencoderArchitecture.For(1, new AutoencoderOptions()));
        Assert.Contains("at least 2 features", error.Message);
    }
}
