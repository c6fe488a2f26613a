using Google.Protobuf;
using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Core.Tests.Support;

/// <summary>Tiny hand-built ONNX graphs for shapes the fixtures do not have.</summary>
internal static class SyntheticModels
{
    /// <summary>input [N, ...recordShape] → Relu → "act" (the only output).</summary>
    public static byte[] Relu(params long[] recordShape)
    {
        var graph = new GraphProto { Name = "relu" };
        graph.Input.Add(BatchValue("input", recordShape));
        graph.Output.Add(BatchValue("act", recordShape));
        graph.Node.Add(new NodeProto { Name = "relu", OpType = "Relu", Input = { "input" }, Output = { "act" } });
        var model = new ModelProto { IrVersion = 8, ProducerName = "NeuralFP.Core.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    /// <summary>input [N, 1, height, width] → the mean of each row → "rows" [N, 1, height] (the only output): a model that sees
    /// nothing of a record but its row means.</summary>
    public static byte[] RowMeans(int height, int width)
    {
        var graph = new GraphProto { Name = "row-means" };
        graph.Input.Add(BatchValue("input", [1, height, width]));
        graph.Output.Add(BatchValue("rows", [1, height]));
        var mean = new NodeProto { Name = "mean", OpType = "ReduceMean", Input = { "input" }, Output = { "rows" } };
        mean.Attribute.Add(new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 3 } });
        mean.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        graph.Node.Add(mean);
        var model = new ModelProto { IrVersion = 8, ProducerName = "NeuralFP.Core.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    /// <summary>input [N, width] → Relu → "hidden" → MatMul by a constant [width, 1] → "score" [N, 1]: one output value, no classes.</summary>
    public static byte[] SingleScore(int width)
    {
        var graph = new GraphProto { Name = "single-score" };
        graph.Input.Add(BatchValue("input", [width]));
        graph.Output.Add(BatchValue("score", [1]));
        var weight = new TensorProto { Name = "w", DataType = 1, Dims = { width, 1 } };
        for (var i = 0; i < width; i++) weight.FloatData.Add(1f / (i + 1));
        graph.Initializer.Add(weight);
        graph.Node.Add(new NodeProto { Name = "relu", OpType = "Relu", Input = { "input" }, Output = { "hidden" } });
        graph.Node.Add(new NodeProto { Name = "head", OpType = "MatMul", Input = { "hidden", "w" }, Output = { "score" } });
        var model = new ModelProto { IrVersion = 8, ProducerName = "NeuralFP.Core.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    /// <summary>
    /// A pre-norm-free transformer encoder in miniature, as torch exports one: input [N, steps, width] → per block an
    /// attention-like sub-block (Softmax of a token-wise MatMul, a projection MatMul + bias, residual Add named
    /// "attn_sum{b}") and a feed-forward sub-block (MatMul + bias, GELU written as x·½(1 + erf(x/√2)), MatMul + bias,
    /// residual Add named "block{b}") → mean over tokens ("pooled") → Gemm → "logits" [N, 3]. Seeded weights.
    /// </summary>
    public static byte[] TokenBlocks(int blocks, int steps = 6, int width = 4)
    {
        var rng = new Random(11);
        var graph = new GraphProto { Name = "token-blocks" };
        graph.Input.Add(BatchValue("input", [steps, width]));
        graph.Output.Add(BatchValue("logits", [3]));
        string Weight(string name, params long[] dims)
        {
            var t = new TensorProto { Name = name, DataType = 1 };
            t.Dims.AddRange(dims);
            for (var i = 0; i < dims.Aggregate(1L, (a, b) => a * b); i++) t.FloatData.Add((float)(rng.NextDouble() - 0.5));
            graph.Initializer.Add(t);
            return name;
        }
        string Scalar(string name, float value)
        {
            graph.Initializer.Add(new TensorProto { Name = name, DataType = 1, FloatData = { value } });
            return name;
        }
        void Node(string op, string output, params string[] inputs) =>
            graph.Node.Add(new NodeProto { Name = output + "/" + op, OpType = op, Input = { inputs }, Output = { output } });
        Scalar("sqrt2", MathF.Sqrt(2f));
        Scalar("one", 1f);
        Scalar("half", 0.5f);
        var x = "input";
        for (var b = 0; b < blocks; b++)
        {
            Node("MatMul", $"scores{b}", x, Weight($"wa{b}", width, width));
            var softmax = new NodeProto { Name = $"attn{b}", OpType = "Softmax", Input = { $"scores{b}" }, Output = { $"attn{b}" } };
            softmax.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = -1 });
            graph.Node.Add(softmax);
            Node("MatMul", $"proj{b}", $"attn{b}", Weight($"wp{b}", width, width));
            Node("Add", $"proj_bias{b}", Weight($"bp{b}", width), $"proj{b}");
            Node("Add", $"attn_sum{b}", x, $"proj_bias{b}");
            Node("MatMul", $"up{b}", $"attn_sum{b}", Weight($"w1{b}", width, 2 * width));
            Node("Add", $"up_bias{b}", Weight($"b1{b}", 2 * width), $"up{b}");
            Node("Div", $"gelu_div{b}", $"up_bias{b}", "sqrt2");
            Node("Erf", $"gelu_erf{b}", $"gelu_div{b}");
            Node("Add", $"gelu_add{b}", $"gelu_erf{b}", "one");
            Node("Mul", $"gelu_mul{b}", $"up_bias{b}", $"gelu_add{b}");
            Node("Mul", $"gelu{b}", $"gelu_mul{b}", "half");
            Node("MatMul", $"down{b}", $"gelu{b}", Weight($"w2{b}", 2 * width, width));
            Node("Add", $"down_bias{b}", Weight($"b2{b}", width), $"down{b}");
            Node("Add", $"block{b}", $"attn_sum{b}", $"down_bias{b}");
            x = $"block{b}";
        }
        var mean = new NodeProto { Name = "pool", OpType = "ReduceMean", Input = { x }, Output = { "pooled" } };
        mean.Attribute.Add(new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1 } });
        mean.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        graph.Node.Add(mean);
        graph.Node.Add(new NodeProto { Name = "head", OpType = "Gemm", Input = { "pooled", Weight("wh", width, 3), Weight("bh", 3) }, Output = { "logits" } });
        var model = new ModelProto { IrVersion = 8, ProducerName = "NeuralFP.Core.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    private static ValueInfoProto BatchValue(string name, long[] recordShape)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (var d in recordShape) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }
}
