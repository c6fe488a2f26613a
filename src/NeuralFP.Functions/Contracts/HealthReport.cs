namespace NeuralFP.Functions.Contracts;

/// <param name="Mode"><c>isolated-worker</c>: the app runs as a .NET isolated worker under a Functions host.</param>
public sealed record HealthReport(string Status, string Storage, string Mode, string Version);
