using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Autoencoders;

public class AutoencoderFitInputTests
{
    private static readonly AutoencoderOptions Quick = new() { Kind = AutoencoderKind.Mlp, MaxEpochs = 2 };

    [Fact]
    public void Non_finite_training_values_are_rejected_naming_the_record()
    {
        var data = new SyntheticData(6, 2, 0.1, 1).OnManifold(20);
        data.Data[13 * 6 + 2] = float.PositiveInfinity;
        var error = Assert.Throws<ArgumentException>(() => AutoencoderTrainer.Fit(data, new FloatTensor([], [0, 6]), Quick));
        Assert.Contains("Record 13 of train", error.Message);
    }

    [Fact]
    public void Validation_records_must_have_the_training_width()
    {
        var train = new SyntheticData(6, 2, 0.1, 1).OnManifold(20);
        var validation = new SyntheticData(5, 2, 0.1, 1).OnManifold(5);
        var error = Assert.Throws<ArgumentException>(() => AutoencoderTrainer.Fit(train, validation, Quick));
        Assert.Equal("validation", error.ParamName);
    }

    [Fact]
    public void Too_few_records_or_features_are_rejected()
    {
        var one = new SyntheticData(6, 2, 0.1, 1).OnManifold(1);
        Assert.Contains("at least 2 training records", Assert.Throws<ArgumentException>(() => AutoencoderTrainer.Fit(one, one, Quick)).Message);
        var narrow = new FloatTensor([1, 2, 3], [3, 1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => AutoencoderTrainer.Fit(narrow, narrow, Quick));
    }

    [Fact]
    public void Empty_validation_falls_back_to_the_training_records()
    {
        var train = new SyntheticData(6, 2, 0.1, 1).OnManifold(50);
        var autoencoder = AutoencoderTrainer.Fit(train, new FloatTensor([], [0, 6]), Quick);
        Assert.True(autoencoder.Training!.UsedTrainingForValidation);
        Assert.Equal(2, autoencoder.Training.ValidationErrors.Count);
    }

    [Fact]
    public void Cancellation_is_honoured()
    {
        var train = new SyntheticData(6, 2, 0.1, 1).OnManifold(50);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => AutoencoderTrainer.Fit(train, train, Quick, cancelled.Token));
    }
}
