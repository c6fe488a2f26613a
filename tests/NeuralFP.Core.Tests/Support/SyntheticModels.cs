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

    private static ValueInfoProto BatchValue(string name, long[] recordShape)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (var d in recordShape) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }
}
