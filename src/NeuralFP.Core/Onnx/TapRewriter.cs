using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Core.Onnx;

/// <summary>A rewritten model and the graph output name under which each requested tap appears.</summary>
internal sealed record TappedModel(ModelProto Proto, IReadOnlyList<string> TapOutputs);

/// <summary>Rewrites copies of a model: dynamic batch axis, intermediate tensors exposed as outputs.</summary>
internal static class TapRewriter
{
    /// <summary>A copy whose batch axis is dynamic, even when the export fixed it to 1.</summary>
    public static ModelProto WithDynamicBatch(OnnxModel model)
    {
        var proto = model.Proto.Clone();
        if (!model.BatchFixedToOne) return proto;

        var graph = proto.Graph;
        var index = model.Index;
        foreach (var info in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
            if (index.IsBatchDependent(info.Name)) FreeFirstAxis(info);

        var editor = new GraphEditor(proto);
        foreach (var node in graph.Node)
            if (node.OpType == "Reshape" && node.Input.Count > 0 && index.IsBatchDependent(node.Input[0]))
                FreeReshapeBatch(node, index, editor);
        return proto;
    }

    /// <summary>A copy with dynamic batch and each of <paramref name="tensorNames"/> appended as a graph output.</summary>
    public static TappedModel WithTaps(OnnxModel model, IReadOnlyList<string> tensorNames)
    {
        ArgumentNullException.ThrowIfNull(tensorNames);
        RequireTappable(model, tensorNames);

        var proto = WithDynamicBatch(model);
        var graph = proto.Graph;
        var editor = new GraphEditor(proto);
        var outputs = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        var declared = graph.ValueInfo.Concat(graph.Input).GroupBy(v => v.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var tapOutputs = new List<string>(tensorNames.Count);
        foreach (var name in tensorNames)
        {
            // A tensor already among the outputs is exposed again under an alias, so every tap gets its own output slot.
            var outputName = outputs.Add(name) ? name : editor.Node("tap/" + name, "Identity", [name]);
            outputs.Add(outputName);
            var info = declared.TryGetValue(name, out var known) ? known.Clone() : new ValueInfoProto();
            info.Name = outputName;
            graph.Output.Add(info);
            tapOutputs.Add(outputName);
        }
        return new TappedModel(proto, tapOutputs);
    }

    /// <exception cref="OnnxModelException">A name is not a tensor computed from the input.</exception>
    public static void RequireTappable(OnnxModel model, IReadOnlyList<string> tensorNames)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in tensorNames)
        {
            if (!model.Index.IsBatchDependent(name))
            {
                var valid = model.Index.TappableNames;
                throw new OnnxModelException(
                    $"The model has no tensor '{name}' that can be tapped (it must be the input or a node output computed from it). " +
                    $"Valid names include {string.Join(", ", valid.Take(8).Select(v => $"'{v}'"))}{(valid.Count > 8 ? $" ({valid.Count} in all)" : "")}.");
            }
            if (!seen.Add(name)) throw new ArgumentException($"The tensor '{name}' is listed twice; list each layer once.", nameof(tensorNames));
        }
    }

    private static void FreeFirstAxis(ValueInfoProto info)
    {
        if (info.Type?.TensorType?.Shape is { Dim.Count: > 0 } shape
            && shape.Dim[0].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue
            && shape.Dim[0].DimValue == 1)
            shape.Dim[0].DimParam = OnnxModel.BatchAxisName;
    }

    // Exports with a fixed batch bake it into Reshape targets such as [1, -1] or [1, 784].
    private static void FreeReshapeBatch(NodeProto node, GraphIndex index, GraphEditor editor)
    {
        var allowZero = node.Attribute.FirstOrDefault(a => a.Name == "allowzero")?.I == 1;
        var shapeAttribute = node.Attribute.FirstOrDefault(a => a.Name == "shape");
        var target = node.Input.Count > 1 ? index.ConstantInt64(node.Input[1]) : shapeAttribute?.Ints.ToArray();
        if (target is not { Length: > 0 } || target[0] != 1) return;

        var freed = (long[])target.Clone();
        if (!target.Contains(-1)) freed[0] = -1;
        else if (!allowZero) freed[0] = 0; // 0 copies the input's batch axis
        else return;

        if (node.Input.Count > 1) node.Input[1] = editor.Int64Constant("batch_free_shape", freed);
        else
        {
            shapeAttribute!.Ints.Clear();
            shapeAttribute.Ints.AddRange(freed);
        }
    }
}
