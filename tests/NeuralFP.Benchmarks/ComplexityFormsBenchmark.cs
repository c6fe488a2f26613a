using Google.Protobuf;
using NeuralFP.Core.Activations;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Benchmarks;

/// <summary>
/// <c>complexity</c>: forms of the scorer graph's input-complexity statistics (energy, total variation of a 28×28 input)
/// timed against each other at batch 256 and batch 1, alternating call by call: the slices the graph used, the
/// dilated-Conv differences it uses now, and two with the sums as a MatMul by a constant column.
/// </summary>
internal static class ComplexityFormsBenchmark
{
    public static Task RunAsync(TextWriter output)
    {
        var records = BenchmarkData.TestSet().Records;
        var forms = new (string Name, byte[] Graph)[] { ("slices + ReduceL1 (before)", Build(0)), ("dilated Conv + ReduceL1 (the scorer graph's)", Build(1)), ("dilated Conv + Abs + MatMul", Build(2)), ("slices + Abs + MatMul", Build(3)) };
        var runners = forms.Select(f => new SessionRunner(f.Graph, "x", ["energy", "variation"], singleThread: ScorerGraphBenchmark.CpuTime)).ToArray();
        foreach (var (batch, calls) in new[] { (256, 400), (1, 4000) })
        {
            ScorerGraphBenchmark.Interleaved(runners, records, batch, calls / 10);
            var times = ScorerGraphBenchmark.Interleaved(runners, records, batch, calls);
            output.WriteLine($"batch {batch}: " + string.Join("; ", forms.Select((f, i) => $"{f.Name} p50 {RunStatistics.Median(times[i]) * 1000:F1} µs")));
        }
        foreach (var r in runners) r.Dispose();
        return Task.CompletedTask;
    }

    private static byte[] Build(int form)
    {
        const int d = 784, w = 28;
        var model = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "c" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        model.Graph.Input.Add(ProtoFactory.BatchFloatValueInfo("x", [1, 28, 28]));
        var e = new GraphEditor(model);
        var flat = e.Reshape("flat", "x", [-1, d]);
        double pairs = InputComplexity.Pairs(d, w);
        string Column(string name, int n, double value) => e.FloatConstant(name, Enumerable.Repeat((float)value, n).ToArray(), n, 1);
        if (form is 0 or 1)
            e.NodeTo("energy", "Mul", [e.Reduce("ss", "ReduceSumSquare", flat, 1, false), e.FloatConstant("inv_d", [1f / d])]);
        else
            e.Reshape("energy", e.Node("energy_col", "MatMul", [e.Binary("sq", "Mul", flat, flat), Column("inv_d", d, 1.0 / d)]), [-1], exactOutput: "energy");
        // Columns [start, end) of the flattened records (opset 17: starts, ends and axes as inputs).
        string Slice(string name, long start, long end) =>
            e.Node(name, "Slice", [flat, e.Int64Constant(name + "_starts", [start]), e.Int64Constant(name + "_ends", [end]), e.Int64Constant(name + "_axes", [1])]);
        string Differences(int offset)
        {
            if (form is 0 or 3)
                return e.Binary("diff", "Sub", Slice("later", offset, d), Slice("earlier", 0, d - offset));
            var row = e.Reshape("row", "x", [-1, 1, d]);
            var conv = e.Node("conv", "Conv", [row, e.FloatConstant("kernel", [-1f, 1f], 1, 1, 2)], ProtoFactory.IntsAttribute("dilations", [offset]));
            return e.Reshape("diff", conv, [-1, d - offset]);
        }
        string Sum(string diff, int n) => form is 0 or 1
            ? e.Reduce("l1", "ReduceL1", diff, 1, false)
            : e.Reshape("l1", e.Node("l1_col", "MatMul", [e.Node("abs", "Abs", [diff]), Column("ones", n, 1)]), [-1]);
        var variation = e.Binary("sum", "Add", Sum(Differences(1), d - 1), Sum(Differences(w), d - w));
        e.NodeTo("variation", "Mul", [variation, e.FloatConstant("inv_pairs", [(float)(1 / pairs)])]);
        foreach (var o in new[] { "energy", "variation" }) model.Graph.Output.Add(ProtoFactory.BatchFloatValueInfo(o, []));
        return model.ToByteArray();
    }
}
