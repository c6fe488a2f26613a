namespace NeuralFP.Core.Tensors;

/// <summary>The bytes are not a .npy file NeuralFP can read; the message says what is wrong and what is accepted.</summary>
public sealed class NpyFormatException(string message) : FormatException(message);
