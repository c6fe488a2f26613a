namespace NeuralFP.Core.Autoencoders;

public enum AutoencoderKind { Mlp, Pca }
