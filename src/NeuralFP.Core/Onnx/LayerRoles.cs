using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Core.Onnx;

/// <summary>Reads the graph's structure to say which tensors are the input, block activations, penultimate features and logits.</summary>
internal static class LayerRoles
{
    private static readonly HashSet<string> BlockOps = ["Conv", "ConvTranspose", "Gemm", "MatMul", "QLinearConv", "QLinearMatMul"];

    private static readonly HashSet<string> ActivationOps =
    [
        "Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Celu", "Gelu", "Softplus", "Softsign",
        "HardSigmoid", "HardSwish", "Mish", "ThresholdedRelu", "Clip",
    ];

    // Ops that may sit between a block and its activation (bias, normalisation, residual sum).
    private static readonly HashSet<string> PassThroughOps =
    [
        "Add", "Sub", "Mul", "Div", "BatchNormalization", "InstanceNormalization", "LayerNormalization",
        "GroupNormalization", "Identity", "Dropout",
    ];

    // Linear ops that act on the last axis: after them a rank-2 record is [T, F], features last (a transformer's tokens).
    private static readonly HashSet<string> TokenWiseOps = ["Gemm", "MatMul", "QLinearMatMul"];

    private static readonly HashSet<string> SoftmaxOps = ["Softmax", "LogSoftmax"];

    private static readonly HashSet<string> RecurrentOps = ["GRU", "LSTM", "RNN"];

    /// <summary>
    /// A recurrent node's Y is [T, directions, N, H]; exporters of batch-first models follow it with Squeeze and a
    /// Transpose swapping the first two axes, giving the hidden states over time as [N, T, H]. That tensor, pooled
    /// over time, is the layer (the last step alone is only the penultimate features).
    /// </summary>
    private static string? BatchFirstSequence(GraphProto graph, string y)
    {
        var tensor = y;
        for (var depth = 0; depth < 4; depth++)
        {
            var next = graph.Node.FirstOrDefault(n => n.Input.Count > 0 && n.Input[0] == tensor && n.OpType is "Squeeze" or "Transpose" or "Reshape");
            if (next is null) return null;
            if (next.OpType == "Transpose" && next.Attribute.FirstOrDefault(a => a.Name == "perm") is { } perm
                && perm.Ints.Count == 3 && perm.Ints[0] == 1 && perm.Ints[1] == 0 && perm.Ints[2] == 2)
                return next.Output[0];
            tensor = next.Output[0];
        }
        return null;
    }

    private const int MaxWalk = 8;

    /// <summary>Most transformer block outputs tapped; deeper stacks keep this many, evenly spaced, the last included.</summary>
    internal const int MaxTokenLayers = 4;

    /// <summary>
    /// The residual stream after each transformer block: an Add of the stream and a branch whose last linear op
    /// (MatMul/Gemm, token-wise) reads an activation (ReLU, GELU as an op or as its Erf/Tanh formula): the feed-forward
    /// sub-block's sum, which ends the block. The attention sub-block's sum (its projection reads attention outputs, not
    /// an activation) and conv residuals (Conv, not MatMul) do not qualify. Only [T, D] records are kept as sequences
    /// (<see cref="LayerProbe"/> checks the rank), so a residual MLP's [D] sums stay out.
    /// </summary>
    private static List<string> TokenBlockOutputs(GraphIndex index)
    {
        var outputs = new List<string>();
        foreach (var node in index.Graph.Node)
        {
            if (node.OpType != "Add" || node.Input.Count != 2 || node.Output.Count == 0 || !index.IsBatchDependent(node.Output[0])
                || !node.Input.All(index.IsBatchDependent)) continue;
            if (node.Input.Any(branch => LinearOfActivation(index, branch))) outputs.Add(node.Output[0]);
        }
        if (outputs.Count <= MaxTokenLayers) return outputs;
        return [.. Enumerable.Range(1, MaxTokenLayers).Select(i => outputs[i * outputs.Count / MaxTokenLayers - 1])];
    }

    // branch = (bias / scaling ops of) MatMul|Gemm(activation(...)).
    private static bool LinearOfActivation(GraphIndex index, string branch)
    {
        var tensor = branch;
        for (var depth = 0; depth <= MaxWalk && index.Producer(tensor) is { } producer; depth++)
        {
            if (producer.OpType is "MatMul" or "Gemm")
                return index.DataInput(producer) is { } data && ReachesActivation(index, data, 0);
            if (!PassThroughOps.Contains(producer.OpType) || index.DataInput(producer) is not { } next) return false;
            tensor = next;
        }
        return false;
    }

    private static bool ReachesActivation(GraphIndex index, string tensor, int depth)
    {
        if (depth > MaxWalk || index.Producer(tensor) is not { } producer) return false;
        if (ActivationOps.Contains(producer.OpType) || producer.OpType == "Erf") return true;
        if (!PassThroughOps.Contains(producer.OpType) && producer.OpType != "Pow") return false;
        foreach (var input in producer.Input)
            if (input.Length > 0 && index.IsBatchDependent(input) && ReachesActivation(index, input, depth + 1)) return true;
        return false;
    }

    /// <summary>
    /// The role of each tensor that has one, and the activations that follow a linear op on the last axis
    /// (<paramref name="tokenWise"/>): when their records are [T, F] (a transformer's feed-forward, an explicit ReLU or
    /// GELU op) they are token states, pooled over time like <see cref="LayerRole.Sequence"/>, not [C, L] maps.
    /// </summary>
    public static Dictionary<string, LayerRole> Assign(OnnxModel model, out HashSet<string> tokenWise)
    {
        var index = model.Index;
        var graph = index.Graph;
        var roles = new Dictionary<string, LayerRole>(StringComparer.Ordinal);
        tokenWise = new HashSet<string>(StringComparer.Ordinal);

        foreach (var node in graph.Node)
        {
            if (!ActivationOps.Contains(node.OpType) || node.Output.Count == 0 || !index.IsBatchDependent(node.Output[0])) continue;
            if (BlockBefore(index, node, 0) is not { } block) continue;
            var activation = SiluProduct(graph, node) ?? node.Output[0];
            roles[activation] = LayerRole.Hidden;
            if (TokenWiseOps.Contains(block)) tokenWise.Add(activation);
        }

        foreach (var node in graph.Node)
            if (RecurrentOps.Contains(node.OpType) && node.Output.Count > 0 && BatchFirstSequence(graph, node.Output[0]) is { } sequence)
                roles[sequence] = LayerRole.Sequence;
        foreach (var tokens in TokenBlockOutputs(index))
            roles.TryAdd(tokens, LayerRole.Sequence);

        var logits = model.OutputNames[0];
        if (index.Producer(logits) is { } last && SoftmaxOps.Contains(last.OpType) && index.DataInput(last) is { } preSoftmax)
            logits = preSoftmax;
        if (index.IsBatchDependent(logits))
        {
            if (Penultimate(index, logits) is { } penultimate) roles[penultimate] = LayerRole.Penultimate;
            roles[logits] = LayerRole.Logits;
        }
        roles[model.InputName] = LayerRole.Input;
        return roles;
    }

    /// <summary>The op of the Conv/Gemm/MatMul block the activation follows (through bias, normalisation, residual sums), or null.</summary>
    private static string? BlockBefore(GraphIndex index, NodeProto node, int depth)
    {
        if (depth > MaxWalk) return null;
        foreach (var input in node.Input)
        {
            if (input.Length == 0 || !index.IsBatchDependent(input) || index.Producer(input) is not { } producer) continue;
            if (BlockOps.Contains(producer.OpType)) return producer.OpType;
            if (PassThroughOps.Contains(producer.OpType) && BlockBefore(index, producer, depth + 1) is { } block) return block;
        }
        return null;
    }

    /// <summary>The features the classifier head reads: the data input of the last Gemm/MatMul before the logits.</summary>
    private static string? Penultimate(GraphIndex index, string logits)
    {
        var tensor = logits;
        for (var depth = 0; depth <= MaxWalk && index.Producer(tensor) is { } producer; depth++)
        {
            if (index.DataInput(producer) is not { } data) return null;
            if (producer.OpType is "Gemm" or "MatMul") return data;
            tensor = data;
        }
        return null;
    }

    // SiLU exports as x * Sigmoid(x); the product, not the gate, is the activation.
    private static string? SiluProduct(GraphProto graph, NodeProto sigmoid)
    {
        if (sigmoid.OpType != "Sigmoid") return null;
        var gate = sigmoid.Output[0];
        var x = sigmoid.Input[0];
        return graph.Node.FirstOrDefault(n => n.OpType == "Mul" && n.Input.Contains(gate) && n.Input.Contains(x))?.Output[0];
    }
}
