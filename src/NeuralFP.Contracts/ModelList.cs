namespace NeuralFP.Contracts;

/// <summary>Every model the service knows.</summary>
/// <param name="Models">The models, by ID.</param>
public sealed record ModelList(IReadOnlyList<ModelView> Models);
