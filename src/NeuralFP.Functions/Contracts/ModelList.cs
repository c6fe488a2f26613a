namespace NeuralFP.Functions.Contracts;

public sealed record ModelList(IReadOnlyList<ModelView> Models);
