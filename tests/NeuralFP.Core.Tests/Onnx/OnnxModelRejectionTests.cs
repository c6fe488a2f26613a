using Google.Protobuf;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;
using NeuralFP.Core.Tests.Support;

namespace NeuralFP.Core.Tests.Onnx;

public class OnnxModelRejectionTests
{
    [Fact]
    public void Garbage_bytes_are_not_an_onnx_model()
    {
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);

        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(garbage));

        Assert.Contains("not an ONNX model", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"layers\": [\"conv1\"]}")]
    public void Text_or_empty_files_are_not_an_onnx_model(string text)
    {
        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(System.Text.Encoding.UTF8.GetBytes(text)));

        Assert.Contains("not an ONNX model", e.Message);
    }

    [Fact]
    public void An_initializer_marked_external_is_rejected()
    {
        var bytes = ModelEdits.Edit(Fixtures.Cnn, m => m.Graph.Initializer[0].DataLocation = TensorProto.Types.DataLocation.External);

        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(bytes));

        Assert.Contains("external data is not supported; re-export with the weights embedded", e.Message);
    }

    [Fact]
    public void An_initializer_with_external_data_entries_is_rejected()
    {
        var bytes = ModelEdits.Edit(Fixtures.Mlp, m =>
        {
            var init = m.Graph.Initializer[^1];
            init.ClearRawData();
            init.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
        });

        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(bytes));

        Assert.Contains("external data is not supported", e.Message);
        Assert.Contains("'" + ModelProto.Parser.ParseFrom(bytes).Graph.Initializer[^1].Name + "'", e.Message);
    }

    [Fact]
    public void A_second_graph_input_is_rejected_naming_both()
    {
        var bytes = ModelEdits.Edit(Fixtures.Cnn, m => m.Graph.Input.Add(ModelEdits.FloatInput("mask", 1, 10)));

        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(bytes));

        Assert.Contains("exactly one input", e.Message);
        Assert.Contains("'input'", e.Message);
        Assert.Contains("'mask'", e.Message);
    }

    [Fact]
    public void Initializers_listed_as_inputs_do_not_count_as_inputs()
    {
        var bytes = ModelEdits.Edit(Fixtures.Cnn, m =>
        {
            var weight = m.Graph.Initializer[0];
            m.Graph.Input.Add(ModelEdits.FloatInput(weight.Name, [.. weight.Dims]));
        });

        Assert.Equal("input", OnnxModel.Load(bytes).InputName);
    }

    [Fact]
    public void A_non_float_input_is_rejected()
    {
        var bytes = ModelEdits.Edit(Fixtures.Cnn, m => m.Graph.Input[0].Type.TensorType.ElemType = (int)TensorProto.Types.DataType.Int64);

        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(bytes));

        Assert.Contains("INT64", e.Message);
        Assert.Contains("float32", e.Message);
    }

    [Fact]
    public void A_dynamic_record_axis_is_rejected()
    {
        var bytes = ModelEdits.Edit(Fixtures.Cnn, m => m.Graph.Input[0].Type.TensorType.Shape.Dim[2].DimParam = "H");

        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(bytes));

        Assert.Contains("axis 2", e.Message);
        Assert.Contains("'H'", e.Message);
    }

    [Fact]
    public void A_batch_axis_fixed_above_one_is_rejected()
    {
        var bytes = ModelEdits.Edit(Fixtures.Cnn, m => m.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimValue = 32);

        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(bytes));

        Assert.Contains("fixes the batch axis to 32", e.Message);
    }

    [Fact]
    public void A_model_without_graph_is_rejected()
    {
        var bytes = new ModelProto { IrVersion = 8, ProducerName = "x" }.ToByteArray();

        var e = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(bytes));

        Assert.Contains("not an ONNX model", e.Message);
    }
}
