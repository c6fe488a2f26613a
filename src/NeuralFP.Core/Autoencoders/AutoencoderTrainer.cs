using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Autoencoders;

/// <summary>Fits an autoencoder (MLP with Adam and early stopping, or PCA) on standardised features.</summary>
public static class AutoencoderTrainer
{
    public static Autoencoder Fit(FloatTensor train, FloatTensor validation, AutoencoderOptions options, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();
}
