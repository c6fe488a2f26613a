namespace NeuralFP.Application.Errors;

/// <summary>A queued score request that can never succeed as written (malformed message, bad batch id, bad blob path).</summary>
public sealed class InvalidScoreRequestException(string message) : Exception(message);
