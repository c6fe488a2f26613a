namespace NeuralFP.Contracts;

/// <summary>Whether the app can serve: its storage answers.</summary>
/// <param name="Status"><c>healthy</c> when storage answers, <c>unhealthy</c> otherwise.</param>
/// <param name="Storage"><c>ok</c>, or why storage did not answer.</param>
/// <param name="Version">The app's informational version.</param>
/// <param name="Mode"><c>isolated-worker</c>: the app runs as a .NET isolated worker under a Functions host.</param>
/// <param name="Drift">
/// <c>ok</c>, or why this instance's drift outcomes are not reaching their table (storage refused them for a reason retrying
/// will not fix: what is refused since when, and what to change). Verdicts are answered either way, so it does not make
/// the app unhealthy; alert on it.
/// </param>
public sealed record HealthReport(string Status, string Storage, string Mode, string Version, string Drift = "ok");
