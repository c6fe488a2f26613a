namespace NeuralFP.Core.Tensors;

/// <summary>Records that cannot be scored: wrong shape, non-finite values, empty batch. The message names the problem.</summary>
public sealed class InvalidRecordsException(string message) : ArgumentException(message);
