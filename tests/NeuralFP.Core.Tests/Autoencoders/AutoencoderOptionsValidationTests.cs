using NeuralFP.Core.Autoencoders;

namespace NeuralFP.Core.Tests.Autoencoders;

public class AutoencoderOptionsValidationTests
{
    public static TheoryData<AutoencoderOptions, string> BadOptions() => new()
    {
        { new AutoencoderOptions { BottleneckRatio = 0 }, nameof(AutoencoderOptions.BottleneckRatio) },
        { new AutoencoderOptions { BottleneckRatio = 1.5 }, nameof(AutoencoderOptions.BottleneckRatio) },
        { new AutoencoderOptions { BottleneckRatio = double.NaN }, nameof(AutoencoderOptions.BottleneckRatio) },
        { new AutoencoderOptions { MinBottleneck = 0 }, nameof(AutoencoderOptions.MinBottleneck) },
        { new AutoencoderOptions { MinBottleneck = 10, MaxBottleneck = 5 }, nameof(AutoencoderOptions.MaxBottleneck) },
        { new AutoencoderOptions { HiddenSize = -1 }, nameof(AutoencoderOptions.HiddenSize) },
        { new AutoencoderOptions { MaxEpochs = 0 }, nameof(AutoencoderOptions.MaxEpochs) },
        { new AutoencoderOptions { BatchSize = 0 }, nameof(AutoencoderOptions.BatchSize) },
        { new AutoencoderOptions { LearningRate = 0 }, nameof(AutoencoderOptions.LearningRate) },
        { new AutoencoderOptions { LearningRate = double.PositiveInfinity }, nameof(AutoencoderOptions.LearningRate) },
        { new AutoencoderOptions { Patience = 0 }, nameof(AutoencoderOptions.Patience) },
        { new AutoencoderOptions { Kind = (AutoencoderKind)7 }, nameof(AutoencoderOptions.Kind) },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Out_of_range_options_are_rejected_naming_the_option_and_its_range(AutoencoderOptions options, string option)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(option, error.ParamName);
        Assert.Contains($"AutoencoderOptions.{option} must be", error.Message);
    }

    [Fact]
    public void Defaults_and_edge_values_are_accepted()
    {
        new AutoencoderOptions().Validate();
        new AutoencoderOptions { HiddenSize = 0, BottleneckRatio = 1, MinBottleneck = 3, MaxBottleneck = 3, Patience = 1, MaxEpochs = 1, BatchSize = 1 }.Validate();
    }

    [Fact]
    public void Fit_validates_options_before_touching_data()
    {
        var data = new SyntheticData(8, 2, 0.1, 1).OnManifold(10);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => AutoencoderTrainer.Fit(data, data, new AutoencoderOptions { BatchSize = -5 }));
        Assert.Equal(nameof(AutoencoderOptions.BatchSize), error.ParamName);
    }
}
