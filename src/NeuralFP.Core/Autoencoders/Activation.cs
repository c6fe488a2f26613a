namespace NeuralFP.Core.Autoencoders;

public enum Activation { Identity, Relu, Tanh }
