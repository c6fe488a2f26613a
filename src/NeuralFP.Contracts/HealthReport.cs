namespace NeuralFP.Contracts;

/// <summary>Whether the app can serve: its storage answers.</summary>
/// <param name="Status"><c>healthy</c> when storage answers, <c>unhealthy</c> otherwise.</param>
/// <param name="Storage"><c>ok</c>, or why storage did not answer.</param>
/// <param name="Version">The app's informational version.</param>
/// <param name="Mode"><c>isolated-worker</c>: the app runs as a .NET isolated worker under a Functions host.</param>
public sealed record HealthReport(string Status, string Storage, string Mode, string Version);
