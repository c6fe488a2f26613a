using Google.Protobuf;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Benchmarks;

/// <summary>
/// <c>int8</c>: the input layer's autoencoder (784-128-64-128-784, residual form) as float Gemms against the same chain
/// with int8 weights, activations quantised with a fixed scale (MatMulIntegerToFloat) or per batch (DynamicQuantizeMatMul),
/// alternating at batch 256 and batch 1. Speed only: the weights are seeded random.
/// </summary>
internal static class Int8Benchmark
{
    private static readonly int[] Widths = [784, 128, 64, 128, 784];

    public static Task RunAsync(TextWriter output)
    {
        var records = BenchmarkData.TestSet().Records;
        var flat = new FloatTensor(records.Data, [records.Records, 784]);
        var random = new Random(7);
        var weights = Enumerable.Range(0, Widths.Length - 1).Select(l =>
        {
            var w = new float[Widths[l] * Widths[l + 1]];
            for (var i = 0; i < w.Length; i++) w[i] = (float)((random.NextDouble() * 2 - 1) / Math.Sqrt(Widths[l]));
            return w;
        }).ToArray();
        string[] names = ["float Gemm", "int8, fixed activation scale", "int8, per-batch scale"];
        var graphs = new[] { Graph(weights, Mode.Float), Graph(weights, Mode.Static), Graph(weights, Mode.Dynamic) };
        // Under NFP_GRAPH_CPU=1 the calling thread's CPU time is read, which counts one intra-op thread only.
        foreach (var threads in ScorerGraphBenchmark.CpuTime ? [1] : new[] { 2, 1 })
        {
            var runners = graphs.Select(g => new SessionRunner(g, "x", ["error"], singleThread: threads == 1)).ToArray();
            foreach (var (batch, calls) in new[] { (256, 200), (1, 4000) })
            {
                ScorerGraphBenchmark.Interleaved(runners, flat, batch, calls / 10);
                var times = ScorerGraphBenchmark.Interleaved(runners, flat, batch, calls);
                output.WriteLine($"threads {threads}, batch {batch}: " + string.Join("; ", names.Select((n, i) =>
                    $"{n} p50 {RunStatistics.Median(times[i]) * 1000:F1} µs ({RunStatistics.Median(times[0]) / RunStatistics.Median(times[i]):F2}× float)")));
            }
            foreach (var r in runners) r.Dispose();
        }
        return Task.CompletedTask;
    }

    private enum Mode { Float, Static, Dynamic }

    private static byte[] Graph(float[][] weights, Mode mode)
    {
        var model = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "ae" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        model.Graph.Input.Add(ProtoFactory.BatchFloatValueInfo("x", [784]));
        var editor = new GraphEditor(model);
        var h = "x";
        for (var l = 0; l < weights.Length; l++)
        {
            var (inputs, outputs) = (Widths[l], Widths[l + 1]);
            var last = l == weights.Length - 1;
            var w = weights[l];
            var bias = editor.FloatConstant($"b{l}", new float[outputs], outputs);
            string y;
            if (mode == Mode.Float)
                y = editor.Affine($"y{l}", h, editor.FloatConstant($"w{l}", w, inputs, outputs), last ? "x" : bias);
            else
            {
                var (quantised, scales) = QuantiseColumns(w, inputs, outputs);
                var wq = Int8(editor, $"wq{l}", quantised, inputs, outputs);
                var ws = editor.FloatConstant($"ws{l}", scales, outputs);
                if (mode == Mode.Dynamic)
                    y = Contrib(editor, $"y{l}", "DynamicQuantizeMatMul", [h, wq, ws, "", last ? "" : bias]);
                else
                {
                    var scale = editor.FloatConstant($"as{l}", [l == 0 ? 1f / 255 : 8f / 255], []);
                    var zero = Uint8(editor, $"az{l}", [0]);
                    var hq = editor.Node($"hq{l}", "QuantizeLinear", [h, scale, zero]);
                    y = Contrib(editor, $"y{l}", "MatMulIntegerToFloat", [hq, wq, scale, ws, zero, "", last ? "" : bias]);
                }
                if (last) y = editor.Binary($"r{l}", "Add", y, "x");
            }
            h = last || l == 1 ? y : editor.Node($"relu{l}", "Relu", [y]);
        }
        editor.Reduce("e", "ReduceSumSquare", h, 1, keepDims: false, exactOutput: "error");
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = OnnxModel.BatchAxisName });
        model.Graph.Output.Add(new ValueInfoProto { Name = "error", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } });
        return model.ToByteArray();
    }

    private static (sbyte[] Values, float[] Scales) QuantiseColumns(float[] w, int rows, int columns)
    {
        var scales = new float[columns];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++) scales[c] = Math.Max(scales[c], Math.Abs(w[r * columns + c]));
        for (var c = 0; c < columns; c++) scales[c] = scales[c] == 0 ? 1 : scales[c] / 127;
        var q = new sbyte[w.Length];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++) q[r * columns + c] = (sbyte)Math.Clamp(Math.Round(w[r * columns + c] / scales[c]), -127, 127);
        return (q, scales);
    }

    private static string Int8(GraphEditor editor, string name, sbyte[] values, params long[] dims)
    {
        var t = new TensorProto { Name = editor.Fresh(name), DataType = (int)TensorProto.Types.DataType.Int8, RawData = ByteString.CopyFrom((byte[])(Array)values) };
        t.Dims.AddRange(dims);
        editor.Graph.Initializer.Add(t);
        return t.Name;
    }

    private static string Uint8(GraphEditor editor, string name, byte[] values)
    {
        var t = new TensorProto { Name = editor.Fresh(name), DataType = (int)TensorProto.Types.DataType.Uint8, RawData = ByteString.CopyFrom(values) };
        editor.Graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>A node of ONNX Runtime's contrib domain, optional trailing inputs left out.</summary>
    private static string Contrib(GraphEditor editor, string output, string op, string[] inputs)
    {
        while (inputs.Length > 0 && inputs[^1] == "") inputs = inputs[..^1];
        var node = new NodeProto { OpType = op, Domain = "com.microsoft", Name = editor.Fresh(op.ToLowerInvariant()) };
        node.Input.AddRange(inputs);
        node.Output.Add(editor.Fresh(output));
        editor.Graph.Node.Add(node);
        return node.Output[0];
    }
}
