using System.Runtime.InteropServices;
using Google.Protobuf;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Core.Tests.Detectors;

public sealed class LinearHeadReaderShapesTests
{
    private const int D = 5;
    private const int K = 3;

    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => SyntheticActivations.Gaussian(random)).ToArray();
    }

    private static TensorProto Tensor(string name, float[] values, long[] dims, bool raw)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.Add(dims);
        if (raw) t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        else t.FloatData.Add(values);
        return t;
    }

    private static NodeProto Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = op + "_" + output };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        return node;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static ModelProto Model(IEnumerable<NodeProto> nodes, IEnumerable<TensorProto> initializers, string output)
    {
        var model = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "head" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = D });
        model.Graph.Input.Add(new ValueInfoProto { Name = "x", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } });
        model.Graph.Output.Add(new ValueInfoProto { Name = output, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        model.Graph.Node.Add(nodes);
        model.Graph.Initializer.Add(initializers);
        return model;
    }

    /// <summary>x·W + b from the head must match what ONNX Runtime computes for the graph.</summary>
    private static void AssertReproduces(ModelProto model, LinearHead head)
    {
        const int n = 7;
        var x = Values(n * D, 42);
        var y = DetectorFixtures.Run(model, "x", x, [n, D], head.LogitsTensor)[head.LogitsTensor];
        Assert.Equal(D, head.Features);
        Assert.Equal(K, head.Classes);
        Assert.Equal("x", head.PenultimateTensor);
        for (var i = 0; i < n; i++)
            for (var k = 0; k < K; k++)
            {
                double sum = head.Bias[k];
                for (var d = 0; d < D; d++) sum += (double)x[i * D + d] * head.Weight[d * K + k];
                Assert.Equal(y[i * K + k], sum, 1e-4);
            }
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(0, false)]
    public void Gemm_with_alpha_beta_and_either_weight_layout(int transB, bool raw)
    {
        var w = Values(D * K, 1);
        var b = Values(K, 2);
        var model = Model(
            [Node("Gemm", ["x", "W", "b"], "logits", Int("transB", transB), Float("alpha", 0.5f), Float("beta", 2f))],
            [Tensor("W", w, transB == 1 ? [K, D] : [D, K], raw), Tensor("b", b, [K], !raw)],
            "logits");

        var head = LinearHeadReader.Read(model.ToByteArray());

        AssertReproduces(model, head);
    }

    [Fact]
    public void Matmul_plus_add_with_the_bias_first_and_a_softmax_after()
    {
        var model = Model(
            [
                Node("MatMul", ["x", "W"], "product"),
                Node("Add", ["b", "product"], "logits"),
                Node("Softmax", ["logits"], "probabilities", Int("axis", -1)),
            ],
            [Tensor("W", Values(D * K, 3), [D, K], raw: true), Tensor("b", Values(K, 4), [1, K], raw: false)],
            "probabilities");

        var head = LinearHeadReader.Read(model);

        Assert.Equal("logits", head.LogitsTensor);
        Assert.Equal("probabilities", head.OutputName);
        AssertReproduces(model, head);
    }

    [Fact]
    public void Gemm_without_bias_gets_zero_bias()
    {
        var model = Model([Node("Gemm", ["x", "W"], "logits")], [Tensor("W", Values(D * K, 5), [D, K], raw: true)], "logits");

        var head = LinearHeadReader.Read(model);

        Assert.All(head.Bias, v => Assert.Equal(0f, v));
        AssertReproduces(model, head);
    }

    [Fact]
    public void A_relu_head_is_not_linear()
    {
        var model = Model(
            [Node("Gemm", ["x", "W", "b"], "pre"), Node("Relu", ["pre"], "logits")],
            [Tensor("W", Values(D * K, 1), [D, K], raw: true), Tensor("b", Values(K, 2), [K], raw: true)],
            "logits");

        var e = Assert.Throws<OnnxModelException>(() => LinearHeadReader.Read(model));

        Assert.Contains("not linear", e.Message);
        Assert.Contains("Relu", e.Message);
    }

    [Fact]
    public void Weights_computed_at_run_time_are_refused()
    {
        var model = Model([Node("Gemm", ["x", "x", "b"], "logits")], [Tensor("b", Values(K, 2), [K], raw: true)], "logits");

        var e = Assert.Throws<OnnxModelException>(() => LinearHeadReader.Read(model));

        Assert.Contains("initializer", e.Message);
    }

    [Fact]
    public void Bytes_that_are_not_onnx_are_refused()
    {
        var e = Assert.Throws<OnnxModelException>(() => LinearHeadReader.Read("not an onnx model"u8));
        Assert.Contains("not an ONNX model", e.Message);
    }
}
