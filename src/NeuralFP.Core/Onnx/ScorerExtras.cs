namespace NeuralFP.Core.Onnx;

/// <summary>
/// What else the fused scorer graph returns, after the model outputs and the layer errors, so that
/// other detectors score from the same single run.
/// </summary>
/// <param name="Features">Tensors exposed as they are (e.g. penultimate features), each as the paired output name.</param>
/// <param name="Heads">Linear heads computed inside the graph (e.g. DICE's sparsified last layer).</param>
public sealed record ScorerExtras(IReadOnlyList<(string Tensor, string Output)> Features, IReadOnlyList<FusedDenseHead> Heads)
{
    public static ScorerExtras None { get; } = new([], []);

    /// <summary>Also output the model input's complexity measures (<see cref="Activations.InputComplexity"/>), [N] each.</summary>
    public bool InputComplexity { get; init; }

    /// <summary>g ≥ 2: also output the input layer's largest regional error over a g×g grid
    /// (<see cref="Activations.InputRegionalError"/>), [N]; needs a fused layer on the whole, unpooled model input. 0: none.</summary>
    public int InputRegionalGrid { get; init; }

    /// <summary>Also output a table's marginal surprise (<see cref="Activations.InputMarginals"/>), [N]; null: none.</summary>
    public Activations.InputMarginals? InputMarginals { get; init; }
}

/// <summary>output = input · Weight + Bias, with Weight [Inputs, Outputs] row-major.</summary>
public sealed record FusedDenseHead(string InputTensor, int Inputs, int Outputs, float[] Weight, float[] Bias, string OutputName);
