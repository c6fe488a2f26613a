namespace NeuralFP.Functions.Endpoints.Contracts;

public sealed record ModelList(IReadOnlyList<ModelView> Models);
