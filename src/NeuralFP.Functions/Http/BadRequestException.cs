namespace NeuralFP.Functions.Http;

/// <summary>A request that is malformed as a whole (bad JSON, missing field); the message says what to send instead.</summary>
public sealed class BadRequestException(string message) : Exception(message);
