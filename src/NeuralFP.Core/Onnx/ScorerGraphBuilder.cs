namespace NeuralFP.Core.Onnx;

/// <summary>
/// Fuses a model with its layer autoencoders into one graph whose outputs are the model's own
/// outputs followed by one [N] error tensor per layer.
/// </summary>
public static class ScorerGraphBuilder
{
    public static byte[] Build(OnnxModel model, IReadOnlyList<FusedLayer> layers) => throw new NotImplementedException();
}
