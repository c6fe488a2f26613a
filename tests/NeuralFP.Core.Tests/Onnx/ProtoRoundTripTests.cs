using Google.Protobuf;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;
using NeuralFP.Core.Tests.Support;

namespace NeuralFP.Core.Tests.Onnx;

/// <summary>The proto subset must not lose what it does not declare.</summary>
public class ProtoRoundTripTests
{
    [Theory]
    [InlineData(Fixtures.Cnn)]
    [InlineData(Fixtures.Mlp)]
    [InlineData(Fixtures.CnnFixedBatch)]
    public void A_fixture_survives_parse_and_serialise(string fixture)
    {
        var bytes = Fixtures.Bytes(fixture);

        var again = ModelProto.Parser.ParseFrom(bytes).ToByteArray();

        Assert.Equal(bytes.Length, again.Length);
        Assert.Equal(ModelProto.Parser.ParseFrom(bytes), ModelProto.Parser.ParseFrom(again));
    }

    [Fact]
    public void Fields_outside_the_subset_are_kept_through_tapping_and_fusion()
    {
        // ModelProto.functions (25) and a NodeProto field the subset does not declare (overload, 8).
        var function = new byte[] { 0xCA, 0x01, 0x05, 0x0A, 0x03, (byte)'f', (byte)'o', (byte)'o' };
        var proto = ModelProto.Parser.ParseFrom(Fixtures.Bytes(Fixtures.Mlp));
        var node = proto.Graph.Node[0];
        var nodeBytes = node.ToByteArray().Concat(new byte[] { 0x42, 0x03, (byte)'b', (byte)'a', (byte)'r' }).ToArray();
        proto.Graph.Node[0] = NodeProto.Parser.ParseFrom(nodeBytes);
        var bytes = proto.ToByteArray().Concat(function).ToArray();
        var model = OnnxModel.Load(bytes);

        var tapped = ModelProto.Parser.ParseFrom(model.WithTaps(["input", model.Proto.Graph.Node[0].Output[0]]));

        Assert.True(tapped.ToByteArray().AsSpan().IndexOf(function) >= 0, "ModelProto.functions was dropped.");
        Assert.True(tapped.Graph.Node[0].ToByteArray().AsSpan().IndexOf(nodeBytes.AsSpan()[^5..]) >= 0, "NodeProto.overload was dropped.");
    }
}
