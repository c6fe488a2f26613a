using System.Runtime.InteropServices;
using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Core.Onnx;

/// <summary>Look-ups over a main graph: who produces a tensor, which tensors depend on the input, constant values.</summary>
internal sealed class GraphIndex
{
    private readonly Dictionary<string, int> _producer = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _batchDependent = new(StringComparer.Ordinal);

    public GraphIndex(GraphProto graph, string inputName)
    {
        Graph = graph;
        InputName = inputName;
        foreach (var t in graph.Initializer) _initializers[t.Name] = t;
        foreach (var s in graph.SparseInitializer) if (s.Values is { } v) SparseInitializerNames.Add(v.Name);

        _batchDependent.Add(inputName);
        var tappable = new List<string> { inputName };
        for (var i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            var dependent = node.Input.Any(_batchDependent.Contains) || ReadsOuterScope(node, _batchDependent);
            foreach (var output in node.Output)
            {
                if (output.Length == 0) continue;
                _producer[output] = i;
                if (!dependent) continue;
                _batchDependent.Add(output);
                tappable.Add(output);
            }
        }
        TappableNames = tappable;
    }

    public GraphProto Graph { get; }

    public string InputName { get; }

    public HashSet<string> SparseInitializerNames { get; } = new(StringComparer.Ordinal);

    /// <summary>The input and every node output computed from it, in graph order.</summary>
    public IReadOnlyList<string> TappableNames { get; }

    public bool IsInitializer(string name) => _initializers.ContainsKey(name) || SparseInitializerNames.Contains(name);

    public bool IsBatchDependent(string name) => _batchDependent.Contains(name);

    public NodeProto? Producer(string tensor) => _producer.TryGetValue(tensor, out var i) ? Graph.Node[i] : null;

    public int ProducerIndex(string tensor) => _producer.TryGetValue(tensor, out var i) ? i : -1;

    /// <summary>First input of <paramref name="node"/> that carries records (not a weight or constant).</summary>
    public string? DataInput(NodeProto node) => node.Input.FirstOrDefault(i => i.Length > 0 && IsBatchDependent(i));

    /// <summary>The int64 values of a constant tensor (initializer or Constant node), or null when not constant.</summary>
    public long[]? ConstantInt64(string name)
    {
        if (_initializers.TryGetValue(name, out var init)) return ReadInt64(init);
        var producer = Producer(name);
        if (producer is not { OpType: "Constant" }) return null;
        foreach (var a in producer.Attribute)
        {
            if (a.Name == "value" && a.T is { } t) return ReadInt64(t);
            if (a.Name == "value_ints") return [.. a.Ints];
        }
        return null;
    }

    private static long[]? ReadInt64(TensorProto t)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Int64) return null;
        if (t.Int64Data.Count > 0) return [.. t.Int64Data];
        return MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray();
    }

    // Control-flow bodies may read outer tensors without listing them as node inputs.
    private static bool ReadsOuterScope(NodeProto node, HashSet<string> names)
    {
        foreach (var a in node.Attribute)
        {
            if (a.G is { } g && GraphReads(g, names)) return true;
            foreach (var sub in a.Graphs) if (GraphReads(sub, names)) return true;
        }
        return false;
    }

    private static bool GraphReads(GraphProto g, HashSet<string> names)
        => g.Node.Any(n => n.Input.Any(names.Contains) || ReadsOuterScope(n, names));
}
