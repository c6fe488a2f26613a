using System.Security.Cryptography;
using Google.Protobuf;
using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Core.Onnx;

/// <summary>A validated ONNX classifier: one float tensor input, no external data.</summary>
public sealed class OnnxModel
{
    /// <summary>Name given to the batch axis wherever NeuralFP makes it dynamic.</summary>
    public const string BatchAxisName = "N";

    private readonly ModelProto _proto;
    private readonly ModelValidation.InputInfo _input;
    private readonly Lazy<IReadOnlyList<LayerCandidate>> _layers;

    private OnnxModel(ModelProto proto, ModelValidation.InputInfo input, string sha256)
    {
        _proto = proto;
        _input = input;
        Sha256 = sha256;
        OutputNames = [.. proto.Graph.Output.Select(o => o.Name)];
        Index = new GraphIndex(proto.Graph, input.Name);
        _layers = new Lazy<IReadOnlyList<LayerCandidate>>(() => LayerProbe.Probe(this), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <exception cref="OnnxModelException">Not ONNX, external data, or not exactly one tensor input.</exception>
    public static OnnxModel Load(ReadOnlyMemory<byte> bytes)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxModelException(
                $"The file is not an ONNX model: it does not parse as an ONNX ModelProto ({e.Message}). " +
                "Upload the .onnx file written by your exporter (e.g. torch.onnx.export).", e);
        }
        ModelValidation.RequireOnnxGraph(proto);
        ModelValidation.RejectExternalData(proto.Graph);
        var input = ModelValidation.RequireSingleFloatInput(proto.Graph);
        return new OnnxModel(proto, input, Convert.ToHexStringLower(SHA256.HashData(bytes.Span)));
    }

    /// <summary>Lower-case hex SHA-256 of the file bytes.</summary>
    public string Sha256 { get; }

    public string InputName => _input.Name;

    /// <summary>Record shape of the input (batch dimension removed).</summary>
    public int[] InputShape => (int[])_input.RecordShape.Clone();

    /// <summary>Graph outputs of the original model; the first is taken as the logits/probabilities.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>
    /// Every tappable tensor: the input and each float node output computed from it, in graph order.
    /// Shapes are learnt by running the model once through ONNX Runtime (cached).
    /// </summary>
    /// <exception cref="OnnxModelException">ONNX Runtime cannot run the model.</exception>
    public IReadOnlyList<LayerCandidate> Layers => _layers.Value;

    /// <summary>The "auto" choice: input, activation after each Conv/Gemm/MatMul block, penultimate features, logits.</summary>
    public IReadOnlyList<string> AutoLayers()
        => [.. Layers.Where(l => l.Role is not LayerRole.Other).Select(l => l.Name)];

    /// <summary>
    /// The model with the given tensors added as graph outputs (after the original outputs, in the
    /// given order) and a dynamic batch dimension. A tensor that already is a graph output is added
    /// again through an Identity node named <c>nfp/tap/{name}</c>.
    /// </summary>
    /// <exception cref="OnnxModelException">A name is not a tensor of the graph computed from the input.</exception>
    public byte[] WithTaps(IReadOnlyList<string> tensorNames) => TapRewriter.WithTaps(this, tensorNames).Proto.ToByteArray();

    /// <summary>The parsed model; shared, so callers must clone before editing.</summary>
    internal ModelProto Proto => _proto;

    internal GraphIndex Index { get; }

    internal bool BatchFixedToOne => _input.BatchFixedToOne;

    /// <summary>The candidate named <paramref name="name"/>.</summary>
    /// <exception cref="OnnxModelException">No float tensor of that name can be tapped.</exception>
    internal LayerCandidate Layer(string name)
    {
        foreach (var l in Layers) if (l.Name == name) return l;
        TapRewriter.RequireTappable(this, [name]);
        throw new OnnxModelException(
            $"The tensor '{name}' cannot be fingerprinted: it is not a float tensor with the batch as its first axis. " +
            $"Choose one of {string.Join(", ", Layers.Take(8).Select(l => $"'{l.Name}'"))}{(Layers.Count > 8 ? $" ({Layers.Count} in all)" : "")}.");
    }
}
