using System.Runtime.InteropServices;
using Google.Protobuf;
using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Core.Onnx;

/// <summary>
/// Finds the final linear layer of a classifier (Gemm, or MatMul with an optional Add, with constant
/// weights) behind its output, skipping a trailing Identity/Softmax/LogSoftmax. DICE needs it.
/// </summary>
public static class LinearHeadReader
{
    private static readonly HashSet<string> PassThrough = ["Identity", "Softmax", "LogSoftmax"];

    public static LinearHead Read(OnnxModel model, string? outputName = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Read(model.Proto, outputName);
    }

    /// <exception cref="OnnxModelException">Not ONNX, or the head is not a linear layer with constant weights.</exception>
    public static LinearHead Read(ReadOnlySpan<byte> onnx, string? outputName = null)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(onnx);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxModelException("The file is not an ONNX model (it does not parse as a ModelProto); give the model's .onnx file.", e);
        }
        return Read(proto, outputName);
    }

    /// <param name="outputName">The graph output holding the class scores; null for the first output.</param>
    /// <exception cref="OnnxModelException">The head is not a linear layer with constant weights.</exception>
    public static LinearHead Read(ModelProto model, string? outputName = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        if (graph is null || graph.Output.Count == 0)
            throw new OnnxModelException("The ONNX model has no graph outputs, so it has no classification head to read.");
        var output = outputName ?? graph.Output[0].Name;

        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
            foreach (var o in node.Output)
                if (o.Length > 0) producers[o] = node;
        var constants = Constants(graph);
        if (!producers.ContainsKey(output))
            throw new OnnxModelException($"No node of the graph produces '{output}'; graph outputs are: {string.Join(", ", graph.Output.Select(o => o.Name))}.");

        var logits = output;
        while (producers.TryGetValue(logits, out var node) && IsStandard(node) && PassThrough.Contains(node.OpType))
            logits = node.Input[0];
        if (!producers.TryGetValue(logits, out var head))
            throw NotLinear(output, $"'{logits}' is a graph input, not computed by a layer");

        return head.OpType switch
        {
            "Gemm" when IsStandard(head) => FromGemm(head, constants, logits, output),
            "MatMul" when IsStandard(head) => FromMatMul(head, null, constants, logits, output),
            "Add" when IsStandard(head) => FromMatMulAdd(head, producers, constants, logits, output),
            _ => throw NotLinear(output, $"'{logits}' is produced by a '{head.OpType}' node"),
        };
    }

    private static LinearHead FromGemm(NodeProto gemm, Dictionary<string, TensorProto> constants, string logits, string output)
    {
        long transA = 0, transB = 0;
        double alpha = 1, beta = 1;
        foreach (var a in gemm.Attribute)
        {
            switch (a.Name)
            {
                case "transA": transA = a.I; break;
                case "transB": transB = a.I; break;
                case "alpha": alpha = a.F; break;
                case "beta": beta = a.F; break;
            }
        }
        if (transA != 0)
            throw NotLinear(output, $"the final Gemm '{gemm.Name}' transposes its input (transA=1), so its input is not a batch of feature rows");
        if (gemm.Input.Count < 2 || !constants.TryGetValue(gemm.Input[1], out var b))
            throw NotLinear(output, $"the final Gemm '{gemm.Name}' takes its weights from a computed tensor, not from an initializer");
        var (rows, cols) = Matrix(b, "Gemm weight", output);
        var raw = ReadFloats(b, "Gemm weight");
        // transB = 1 stores the weight as [K, D] (PyTorch's Linear); we keep [D, K].
        int features = transB != 0 ? cols : rows, classes = transB != 0 ? rows : cols;
        var weight = new float[features * classes];
        for (var d = 0; d < features; d++)
            for (var k = 0; k < classes; k++)
                weight[d * classes + k] = (float)(alpha * raw[transB != 0 ? k * cols + d : d * cols + k]);

        var bias = new float[classes];
        if (gemm.Input.Count > 2 && gemm.Input[2].Length > 0)
        {
            if (!constants.TryGetValue(gemm.Input[2], out var c))
                throw NotLinear(output, $"the final Gemm '{gemm.Name}' takes its bias from a computed tensor, not from an initializer");
            Broadcast(ReadFloats(c, "Gemm bias"), c, classes, beta, bias, output);
        }
        return new LinearHead(gemm.Input[0], logits, output, features, classes, weight, bias);
    }

    private static LinearHead FromMatMulAdd(NodeProto add, Dictionary<string, NodeProto> producers, Dictionary<string, TensorProto> constants, string logits, string output)
    {
        for (var side = 0; side < 2 && add.Input.Count == 2; side++)
        {
            var product = add.Input[side];
            var other = add.Input[1 - side];
            if (producers.TryGetValue(product, out var matMul) && matMul.OpType == "MatMul" && IsStandard(matMul)
                && constants.TryGetValue(other, out var bias))
                return FromMatMul(matMul, bias, constants, logits, output);
        }
        throw NotLinear(output, $"'{logits}' is an Add that is not a MatMul plus a constant bias");
    }

    private static LinearHead FromMatMul(NodeProto matMul, TensorProto? biasTensor, Dictionary<string, TensorProto> constants, string logits, string output)
    {
        if (matMul.Input.Count != 2 || !constants.TryGetValue(matMul.Input[1], out var w))
            throw NotLinear(output, $"the final MatMul '{matMul.Name}' does not multiply its input by a constant weight matrix on the right");
        var (features, classes) = Matrix(w, "MatMul weight", output);
        var weight = ReadFloats(w, "MatMul weight").Select(v => (float)v).ToArray();
        var bias = new float[classes];
        if (biasTensor is not null) Broadcast(ReadFloats(biasTensor, "Add bias"), biasTensor, classes, 1.0, bias, output);
        return new LinearHead(matMul.Input[0], logits, output, features, classes, weight, bias);
    }

    private static void Broadcast(double[] values, TensorProto tensor, int classes, double scale, float[] bias, string output)
    {
        var dims = tensor.Dims;
        var vector = values.Length == classes && (dims.Count == 1 || (dims.Count == 2 && dims[0] == 1));
        if (values.Length == 1)
            Array.Fill(bias, (float)(scale * values[0]));
        else if (vector)
            for (var k = 0; k < classes; k++) bias[k] = (float)(scale * values[k]);
        else
            throw NotLinear(output, $"the bias '{tensor.Name}' has shape [{string.Join(",", dims)}], which is neither a scalar nor one value per class ({classes})");
    }

    private static (int Rows, int Cols) Matrix(TensorProto t, string what, string output)
    {
        if (t.Dims.Count != 2 || t.Dims[0] <= 0 || t.Dims[1] <= 0)
            throw NotLinear(output, $"the {what} '{t.Name}' has shape [{string.Join(",", t.Dims)}], not a 2-D matrix");
        return ((int)t.Dims[0], (int)t.Dims[1]);
    }

    private static double[] ReadFloats(TensorProto t, string what)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count > 0)
            throw new OnnxModelException($"The {what} '{t.Name}' is stored in an external data file; save the model with its weights inside the .onnx file.");
        long count = 1;
        foreach (var d in t.Dims) count *= d;
        var raw = t.RawData.Span;
        double[] values;
        switch ((TensorProto.Types.DataType)t.DataType)
        {
            case TensorProto.Types.DataType.Float:
                values = raw.Length > 0
                    ? Convert(MemoryMarshal.Cast<byte, float>(raw), raw.Length % 4)
                    : t.FloatData.Select(v => (double)v).ToArray();
                break;
            case TensorProto.Types.DataType.Double:
                values = raw.Length > 0
                    ? (raw.Length % 8 == 0 ? MemoryMarshal.Cast<byte, double>(raw).ToArray() : [])
                    : [.. t.DoubleData];
                break;
            default:
                throw new OnnxModelException($"The {what} '{t.Name}' has ONNX data type {t.DataType}; the linear head must be float32 or float64.");
        }
        if (values.Length != count)
            throw new OnnxModelException($"The {what} '{t.Name}' declares shape [{string.Join(",", t.Dims)}] ({count} values) but stores {values.Length}; the model file is corrupt.");
        return values;
    }

    private static double[] Convert(ReadOnlySpan<float> values, int remainder)
    {
        if (remainder != 0) return [];
        var result = new double[values.Length];
        for (var i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }

    private static Dictionary<string, TensorProto> Constants(GraphProto graph)
    {
        var constants = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var init in graph.Initializer) constants[init.Name] = init;
        foreach (var node in graph.Node)
        {
            if (node.OpType != "Constant" || !IsStandard(node) || node.Output.Count != 1) continue;
            var value = node.Attribute.FirstOrDefault(a => a.Name == "value" && a.T is not null);
            if (value is not null) constants[node.Output[0]] = value.T;
        }
        return constants;
    }

    private static bool IsStandard(NodeProto node) => node.Domain.Length == 0 || node.Domain == "ai.onnx";

    private static OnnxModelException NotLinear(string output, string why) => new(
        $"The model's head is not linear: {why}. Detectors that need the last layer's weights (DICE) want output '{output}' " +
        "to come from a Gemm or MatMul(+Add) with constant weights, optionally followed by Softmax; use another detector for this model.");
}
