using Google.Protobuf;
using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Core.Tests.Support;

/// <summary>Builds broken or variant models from a fixture by editing its protobuf.</summary>
internal static class ModelEdits
{
    public static byte[] Edit(string fixture, Action<ModelProto> edit)
    {
        var proto = ModelProto.Parser.ParseFrom(Fixtures.Bytes(fixture));
        edit(proto);
        return proto.ToByteArray();
    }

    public static ValueInfoProto FloatInput(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }
}
