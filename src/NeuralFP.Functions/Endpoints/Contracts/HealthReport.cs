namespace NeuralFP.Functions.Endpoints.Contracts;

/// <param name="Mode"><c>custom-handler</c> under the Functions host, <c>standalone</c> with the local host.</param>
public sealed record HealthReport(string Status, string Storage, string Mode, string Version);
