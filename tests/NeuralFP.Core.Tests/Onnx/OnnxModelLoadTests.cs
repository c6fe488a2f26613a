using System.Security.Cryptography;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tests.Support;

namespace NeuralFP.Core.Tests.Onnx;

public class OnnxModelLoadTests
{
    [Theory]
    [InlineData(Fixtures.Cnn)]
    [InlineData(Fixtures.Mlp)]
    [InlineData(Fixtures.CnnFixedBatch)]
    public void Reads_the_record_input_and_outputs(string fixture)
    {
        var model = OnnxModel.Load(Fixtures.Bytes(fixture));

        Assert.Equal("input", model.InputName);
        Assert.Equal([1, 28, 28], model.InputShape);
        Assert.Equal("logits", model.OutputNames[0]);
    }

    [Fact]
    public void Sha256_is_the_lower_case_hex_digest_of_the_file()
    {
        var bytes = Fixtures.Bytes(Fixtures.Mlp);

        var model = OnnxModel.Load(bytes);

        Assert.Equal(64, model.Sha256.Length);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(), model.Sha256);
    }

    [Fact]
    public void Input_shape_is_a_copy()
    {
        var model = Fixtures.Model(Fixtures.Cnn);

        model.InputShape[0] = 99;

        Assert.Equal(1, model.InputShape[0]);
    }
}
