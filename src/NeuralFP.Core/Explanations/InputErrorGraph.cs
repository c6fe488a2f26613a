using Google.Protobuf;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Core.Explanations;

/// <summary>
/// Cuts from a fused scorer graph the part that gives one layer's per-feature squared residuals (z − ẑ)², [N, D]: the
/// tensor the layer's error averages. Found by walking back from the layer's error output (Reshape ← MatMul by the
/// averaging vector ← squared residuals), so artifacts built before explanations existed work as they are.
/// </summary>
internal static class InputErrorGraph
{
    public const string OutputName = "nfp_explain_squared_residuals";


    /// <exception cref="InvalidDataException">The scorer graph does not have the shape <see cref="ScorerGraphBuilder"/> writes.</exception>
    public static byte[] Build(byte[] scorerOnnx, string errorOutput, int features)
    {
        var proto = ModelProto.Parser.ParseFrom(scorerOnnx);
        var graph = proto.Graph;
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
            foreach (var output in node.Output) producers[output] = node;
        NodeProto Producer(string tensor, string op) =>
            producers.TryGetValue(tensor, out var node) && node.OpType == op ? node
                : throw new InvalidDataException($"scorer.onnx: '{tensor}' is not the output of a {op} node as expected for layer error '{errorOutput}'.");
        // Older graphs end in MatMul → Reshape; newer ones in a MatMul by a 1-D weight vector that gives [N] itself.
        var mean = producers.TryGetValue(errorOutput, out var last) && last.OpType == "Reshape" ? Producer(last.Input[0], "MatMul") : Producer(errorOutput, "MatMul");
        var squared = mean.Input[0];
        _ = Producer(squared, "Mul");
        // The error is (squared residuals)·w: w_j = 1/D in z units (older graphs), or 1/(D·σ_j²) when the residual is in
        // feature units (newer ones). D·w turns either into (z − ẑ)² per feature.
        var weights = graph.Initializer.FirstOrDefault(t => t.Name == mean.Input[1])
            ?? throw new InvalidDataException($"scorer.onnx: the error weights of layer error '{errorOutput}' are not a constant.");
        var perFeature = ErrorWeights(weights, features, errorOutput);

        // Keep only what the squared residuals need; nodes are in topological order, so one backward pass finds them.
        var needed = new HashSet<string>(StringComparer.Ordinal) { squared };
        var kept = new List<NodeProto>();
        for (var i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (!node.Output.Any(needed.Contains)) continue;
            kept.Add(node);
            foreach (var input in node.Input) needed.Add(input);
        }
        kept.Reverse();
        graph.Node.Clear();
        graph.Node.AddRange(kept);
        if (perFeature.All(w => w == 1f))
            graph.Node.Add(new NodeProto { Name = "nfp/explain/identity", OpType = "Identity", Input = { squared }, Output = { OutputName } });
        else
        {
            var editor = new GraphEditor(proto);
            var scale = editor.FloatConstant("explain/feature_scale", perFeature, features);
            needed.Add(scale);
            var scaled = editor.Binary("explain/squared_z", "Mul", squared, scale);
            graph.Node.Add(new NodeProto { Name = "nfp/explain/identity", OpType = "Identity", Input = { scaled }, Output = { OutputName } });
        }
        var initializers = graph.Initializer.Where(t => needed.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(initializers);
        var inputs = graph.Input.Where(v => needed.Contains(v.Name)).ToList();
        graph.Input.Clear();
        graph.Input.AddRange(inputs);
        graph.ValueInfo.Clear();
        graph.Output.Clear();
        graph.Output.Add(ProtoFactory.BatchFloatValueInfo(OutputName, [features]));
        return proto.ToByteArray();
    }

    /// <summary>D·w per feature; exactly 1 where w is the uniform 1/D of older graphs.</summary>
    private static float[] ErrorWeights(TensorProto weights, int features, string errorOutput)
    {
        var values = weights.RawData.Length > 0 ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(weights.RawData.Span).ToArray() : [.. weights.FloatData];
        if (values.Length != features)
            throw new InvalidDataException($"scorer.onnx: layer error '{errorOutput}' averages {values.Length} features, not {features}.");
        var uniform = values.All(v => v == values[0]) && Math.Abs(values[0] * (double)features - 1) < 1e-6;
        return [.. values.Select(v => uniform ? 1f : (float)(v * (double)features))];
    }
}
