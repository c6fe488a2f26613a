namespace NeuralFP.Core.Autoencoders;

/// <summary>
/// The autoencoder of each layer: a small MLP trained with Adam, PCA (a linear autoencoder, fitted in closed form), or
/// <see cref="Auto"/>, which picks one of them from the number of training records (<see cref="AutoencoderOptions.KindFor"/>).
/// </summary>
public enum AutoencoderKind { Mlp, Pca, Auto }
