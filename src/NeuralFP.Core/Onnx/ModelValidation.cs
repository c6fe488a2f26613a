using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Core.Onnx;

/// <summary>What <see cref="OnnxModel.Load"/> checks before accepting a model.</summary>
internal static class ModelValidation
{
    public const int FloatType = (int)TensorProto.Types.DataType.Float;

    /// <summary>The single record input and whether its batch dimension is fixed to 1.</summary>
    public sealed record InputInfo(string Name, int[] RecordShape, bool BatchFixedToOne);

    public static void RequireOnnxGraph(ModelProto proto)
    {
        if (proto.IrVersion <= 0 || proto.Graph is null || proto.Graph.Node.Count == 0 || proto.Graph.Output.Count == 0)
            throw new OnnxModelException(
                "The file is not an ONNX model: it parses, but has no IR version, graph, nodes or outputs. " +
                "Upload the .onnx file written by your exporter (e.g. torch.onnx.export).");
    }

    public static void RejectExternalData(GraphProto graph)
    {
        foreach (var t in graph.Initializer) RejectExternal(t, "initializer");
        foreach (var s in graph.SparseInitializer)
        {
            if (s.Values is { } v) RejectExternal(v, "sparse initializer");
            if (s.Indices is { } i) RejectExternal(i, "sparse initializer");
        }
        foreach (var node in graph.Node)
        {
            foreach (var a in node.Attribute)
            {
                if (a.T is { } t) RejectExternal(t, $"attribute '{a.Name}' of node '{node.Name}'");
                foreach (var each in a.Tensors) RejectExternal(each, $"attribute '{a.Name}' of node '{node.Name}'");
                if (a.G is { } g) RejectExternalData(g);
                foreach (var sub in a.Graphs) RejectExternalData(sub);
            }
        }
    }

    private static void RejectExternal(TensorProto t, string where)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count > 0)
            throw new OnnxModelException(
                $"Tensor '{t.Name}' ({where}) keeps its values in an external file; external data is not supported; " +
                "re-export with the weights embedded (e.g. onnx.save_model(model, path, save_as_external_data=False); models must stay under 2 GB).");
    }

    public static InputInfo RequireSingleFloatInput(GraphProto graph)
    {
        var initializers = new HashSet<string>(graph.Initializer.Select(t => t.Name), StringComparer.Ordinal);
        foreach (var s in graph.SparseInitializer) if (s.Values is { } v) initializers.Add(v.Name);
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        if (inputs.Count != 1)
            throw new OnnxModelException(
                $"The model must have exactly one input (a float tensor of records) but has {inputs.Count}" +
                (inputs.Count == 0 ? "" : $": {string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}") +
                ". Export a single-input model (fold the other inputs into constants).");

        var input = inputs[0];
        if (input.Type?.TensorType is not { } tensorType)
            throw new OnnxModelException($"The model input '{input.Name}' is not a tensor; the input must be a float32 tensor of records.");
        if (tensorType.ElemType != FloatType)
            throw new OnnxModelException(
                $"The model input '{input.Name}' has element type {TypeName(tensorType.ElemType)}; only float32 inputs are supported. " +
                "Export the model with a float32 input (cast inside the graph if needed).");
        if (tensorType.Shape is not { Dim.Count: > 0 } shape)
            throw new OnnxModelException(
                $"The model input '{input.Name}' declares no shape (or is a scalar); export it with shape [batch, ...record shape].");

        var record = new int[shape.Dim.Count - 1];
        for (var d = 1; d < shape.Dim.Count; d++)
        {
            var dim = shape.Dim[d];
            if (dim.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || dim.DimValue <= 0 || dim.DimValue > int.MaxValue)
                throw new OnnxModelException(
                    $"The model input '{input.Name}' has a dynamic or invalid dimension at axis {d} ({Describe(dim)}); only the batch axis (0) may be dynamic. " +
                    "Export the model with a fixed record shape.");
            record[d - 1] = (int)dim.DimValue;
        }

        var batch = shape.Dim[0];
        var fixedBatch = batch.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue;
        if (fixedBatch && batch.DimValue != 1)
            throw new OnnxModelException(
                $"The model input '{input.Name}' fixes the batch axis to {batch.DimValue}; export it with a dynamic batch axis " +
                "(torch.onnx.export(..., dynamic_axes={'input': {0: 'N'}})) or with batch 1.");
        return new InputInfo(input.Name, record, fixedBatch);
    }

    public static string TypeName(int elemType)
        => Enum.IsDefined(typeof(TensorProto.Types.DataType), elemType)
            ? ((TensorProto.Types.DataType)elemType).ToString().ToUpperInvariant()
            : $"type {elemType}";

    private static string Describe(TensorShapeProto.Types.Dimension dim) => dim.ValueCase switch
    {
        TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => $"'{dim.DimParam}'",
        TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => dim.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "unknown",
    };
}
