using Google.Protobuf;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Core.Explanations;

/// <summary>
/// Cuts from a fused scorer graph the part that gives one layer's per-feature squared residuals (z − ẑ)², [N, D]: the
/// tensor the layer's error averages. Found by walking back from the layer's error output (Reshape ← MatMul by the
/// averaging vector ← squared residuals in graphs built before the compact form, ReduceSumSquare ← scaled residuals
/// since), so artifacts built before explanations existed work as they are.
/// </summary>
internal static class InputErrorGraph
{
    public const string OutputName = "nfp_explain_squared_residuals";

    /// <summary>The second output when asked for: a table's per-column surprise −ln p̂_j(x_j), [N, D], the terms of its
    /// marginal surprise (<see cref="Activations.InputMarginals"/>).</summary>
    public const string ColumnSurpriseOutput = "nfp_explain_column_surprise";


    /// <exception cref="InvalidDataException">The scorer graph does not have the shape <see cref="ScorerGraphBuilder"/> writes.</exception>
    /// <param name="marginalsOutput">The scorer's marginal-surprise output, whose terms per column to output too; null for none.</param>
    public static byte[] Build(byte[] scorerOnnx, string errorOutput, int features, string? marginalsOutput = null)
    {
        var proto = ModelProto.Parser.ParseFrom(scorerOnnx);
        var graph = proto.Graph;
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
            foreach (var output in node.Output) producers[output] = node;
        NodeProto Producer(string tensor, string op) =>
            producers.TryGetValue(tensor, out var node) && node.OpType == op ? node
                : throw new InvalidDataException($"scorer.onnx: '{tensor}' is not the output of a {op} node as expected for layer error '{errorOutput}'.");
        // Older graphs end in Mul(r, r) → MatMul by 1/D → Reshape, the squared residuals in z units; newer ones in
        // ReduceSumSquare of r ⊙ s = (z − ẑ)/√D, whose square times D is the same.
        string tail;
        var compact = producers.TryGetValue(errorOutput, out var last) && last.OpType == "ReduceSumSquare";
        if (compact)
            tail = Producer(last!.Input[0], "Mul").Output[0];
        else
        {
            var mean = Producer(Producer(errorOutput, "Reshape").Input[0], "MatMul");
            tail = mean.Input[0];
            _ = Producer(tail, "Mul");
        }

        // The marginal surprise is a ReduceL1 over the gathered per-column terms.
        var columns = marginalsOutput is null ? null : Producer(marginalsOutput, "ReduceL1").Input[0];

        // Keep only what the outputs need; nodes are in topological order, so one backward pass finds them.
        var needed = new HashSet<string>(StringComparer.Ordinal) { tail };
        if (columns is not null) needed.Add(columns);
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
        var squared = tail;
        if (compact)
        {
            var editor = new GraphEditor(proto);
            var count = editor.FloatConstant("explain/features", [features], 1);
            needed.Add(count);
            squared = editor.Binary("explain/squared_z", "Mul", editor.Binary("explain/squares", "Mul", tail, tail), count);
        }
        graph.Node.Add(new NodeProto { Name = "nfp/explain/identity", OpType = "Identity", Input = { squared }, Output = { OutputName } });
        var initializers = graph.Initializer.Where(t => needed.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(initializers);
        var inputs = graph.Input.Where(v => needed.Contains(v.Name)).ToList();
        graph.Input.Clear();
        graph.Input.AddRange(inputs);
        graph.ValueInfo.Clear();
        graph.Output.Clear();
        graph.Output.Add(ProtoFactory.BatchFloatValueInfo(OutputName, [features]));
        if (columns is not null)
        {
            graph.Node.Add(new NodeProto { Name = "nfp/explain/columns", OpType = "Identity", Input = { columns }, Output = { ColumnSurpriseOutput } });
            graph.Output.Add(ProtoFactory.BatchFloatValueInfo(ColumnSurpriseOutput, [features]));
        }
        return proto.ToByteArray();
    }
}
