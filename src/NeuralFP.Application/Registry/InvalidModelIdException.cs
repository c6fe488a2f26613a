namespace NeuralFP.Application.Registry;

public sealed class InvalidModelIdException(string? modelId)
    : ArgumentException($"'{modelId}' is not a valid model id: use 1–63 letters, digits, '.', '_' or '-', starting with a letter or digit.")
{
    public string? ModelId { get; } = modelId;
}
