namespace NeuralFP.Functions.Invocations;

/// <summary>A host invocation payload that does not follow the custom-handler contract.</summary>
public sealed class InvalidInvocationException(string message) : Exception(message);
