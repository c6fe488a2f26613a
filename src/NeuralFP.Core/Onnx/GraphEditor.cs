using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Core.Onnx;

/// <summary>
/// Appends nodes and constants to a graph under fresh names, emitting the form of each op that the
/// model's default-domain opset understands.
/// </summary>
internal sealed class GraphEditor
{
    public const string Prefix = "nfp/";

    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly long _opset;
    private readonly bool _initializersAreInputs;

    public GraphEditor(ModelProto model)
    {
        Graph = model.Graph;
        _opset = DefaultOpset(model);
        // Before IR version 4 every initializer must also be listed as a graph input.
        _initializersAreInputs = model.IrVersion < 4;
        foreach (var n in Graph.Node)
        {
            _names.Add(n.Name);
            foreach (var i in n.Input) _names.Add(i);
            foreach (var o in n.Output) _names.Add(o);
        }
        foreach (var t in Graph.Initializer) _names.Add(t.Name);
        foreach (var v in Graph.Input.Concat(Graph.Output).Concat(Graph.ValueInfo)) _names.Add(v.Name);
    }

    public GraphProto Graph { get; }

    /// <summary>The model's default-domain opset, which decides the form of every op written.</summary>
    public long Opset => _opset;

    public bool IsTaken(string name) => _names.Contains(name);

    /// <summary><see cref="Prefix"/> + <paramref name="name"/>, suffixed with a counter if that is taken.</summary>
    public string Fresh(string name)
    {
        var candidate = Prefix + name;
        for (var k = 1; !_names.Add(candidate); k++) candidate = $"{Prefix}{name}_{k}";
        return candidate;
    }

    /// <summary>Claims an exact name (a graph output the caller chose).</summary>
    public void Claim(string name)
    {
        if (!_names.Add(name)) throw new ArgumentException($"The name '{name}' is already used in the graph; choose another output name.", nameof(name));
    }

    public string FloatConstant(string name, ReadOnlySpan<float> values, params long[] dims)
        => AddInitializer(ProtoFactory.FloatTensor(Fresh(name), values, dims), dims);

    public string Int64Constant(string name, ReadOnlySpan<long> values)
        => AddInitializer(ProtoFactory.Int64Tensor(Fresh(name), values), [values.Length]);

    private string AddInitializer(TensorProto tensor, long[] dims)
    {
        Graph.Initializer.Add(tensor);
        if (_initializersAreInputs)
        {
            var shape = new TensorShapeProto();
            foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
            Graph.Input.Add(new ValueInfoProto { Name = tensor.Name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = tensor.DataType, Shape = shape } } });
        }
        return tensor.Name;
    }

    /// <summary>Adds a node writing <paramref name="output"/> (an exact name the caller owns) and returns it.</summary>
    public string NodeTo(string output, string op, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Fresh(op.ToLowerInvariant()) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    public string Node(string output, string op, IEnumerable<string> inputs, params AttributeProto[] attributes)
        => NodeTo(Fresh(output), op, inputs, attributes);

    /// <summary>Element-wise Add/Sub/Mul/Div with numpy broadcasting (opsets before 7 need it switched on).</summary>
    public string Binary(string output, string op, string a, string b)
        => _opset < 7 ? Node(output, op, [a, b], ProtoFactory.IntAttribute("broadcast", 1)) : Node(output, op, [a, b]);

    /// <summary>Reshape to a constant shape (an attribute before opset 5, an input since).</summary>
    public string Reshape(string output, string input, long[] shape, string? exactOutput = null)
    {
        if (_opset < 5)
        {
            var attr = ProtoFactory.IntsAttribute("shape", shape);
            return exactOutput is null ? Node(output, "Reshape", [input], attr) : NodeTo(exactOutput, "Reshape", [input], attr);
        }
        var shapeName = Int64Constant(output + "_shape", shape);
        return exactOutput is null ? Node(output, "Reshape", [input, shapeName]) : NodeTo(exactOutput, "Reshape", [input, shapeName]);
    }

    /// <summary>
    /// a·W + c as one Gemm (from opset 7, where C broadcasts and may be a full [N, M] tensor), or MatMul and Add before.
    /// </summary>
    public string Affine(string output, string a, string weights, string c, string? exactOutput = null)
    {
        if (_opset >= 7)
            return exactOutput is null ? Node(output, "Gemm", [a, weights, c]) : NodeTo(exactOutput, "Gemm", [a, weights, c]);
        var product = Node(output + "_product", "MatMul", [a, weights]);
        var sum = Binary(output, "Add", product, c);
        return exactOutput is null ? sum : NodeTo(exactOutput, "Identity", [sum]);
    }

    /// <summary>A reduction over one axis (ReduceSumSquare, ReduceMin, …; not ReduceSum, whose axes moved at opset 13): axes an
    /// attribute before opset 18, an input since.</summary>
    public string Reduce(string output, string op, string input, long axis, bool keepDims, string? exactOutput = null)
        => Reduce(output, op, input, [axis], keepDims, exactOutput);

    /// <summary>The same over several axes at once (no Reshape to bring them together first).</summary>
    public string Reduce(string output, string op, string input, long[] axes, bool keepDims, string? exactOutput = null)
    {
        var keep = ProtoFactory.IntAttribute("keepdims", keepDims ? 1 : 0);
        string[] inputs = _opset >= 18 ? [input, Int64Constant(output + "_axes", axes)] : [input];
        AttributeProto[] attributes = _opset >= 18 ? [keep] : [keep, ProtoFactory.IntsAttribute("axes", axes)];
        return exactOutput is null ? Node(output, op, inputs, attributes) : NodeTo(exactOutput, op, inputs, attributes);
    }

    public static long DefaultOpset(ModelProto model)
        => model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0;
}
