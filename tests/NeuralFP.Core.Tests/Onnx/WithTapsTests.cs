using Google.Protobuf;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Onnx;

public class WithTapsTests
{
    [Theory]
    [InlineData(Fixtures.Cnn)]
    [InlineData(Fixtures.Mlp)]
    public void Tapped_model_gives_the_same_logits_as_the_untapped_model(string fixture)
    {
        var model = Fixtures.Model(fixture);
        var records = FashionMnist.Test().Take(64).Images;
        var bare = OrtRunner.Run(Fixtures.Bytes(fixture), records);

        var tapped = OrtRunner.Run(model.WithTaps(model.AutoLayers()), records);

        Assert.Equal("logits", tapped[0].Name);
        Tolerance.AssertClose(bare[0].Data, tapped[0].Data, 1e-5);
    }

    [Fact]
    public void Taps_follow_the_original_outputs_in_the_requested_order_with_their_learnt_shapes()
    {
        var model = Fixtures.Model(Fixtures.Cnn);
        var taps = model.Layers.Where(l => l.Role == LayerRole.Hidden).Reverse().Select(l => l.Name).ToList();
        var records = FashionMnist.Test().Take(5).Images;

        var outputs = OrtRunner.Run(model.WithTaps(taps), records);

        Assert.Equal(["logits", .. taps], outputs.Select(o => o.Name));
        for (var i = 0; i < taps.Count; i++)
            Assert.Equal([5, .. model.Layers.Single(l => l.Name == taps[i]).Shape!.Select(d => (long)d)], outputs[i + 1].Shape);
    }

    [Fact]
    public void Tapping_an_existing_output_or_the_input_adds_its_own_output_slot()
    {
        var model = Fixtures.Model(Fixtures.Mlp);
        var records = FashionMnist.Test().Take(3).Images;

        var outputs = OrtRunner.Run(model.WithTaps(["logits", "input"]), records);

        Assert.Equal(3, outputs.Count);
        Assert.Equal(outputs[0].Data, outputs[1].Data);
        Assert.Equal(records.Data, outputs[2].Data);
    }

    [Fact]
    public void Fixed_batch_model_accepts_a_batch_of_16_after_tapping()
    {
        var model = Fixtures.Model(Fixtures.CnnFixedBatch);
        var records = FashionMnist.Test().Take(16).Images;
        var bytes = Fixtures.Bytes(Fixtures.CnnFixedBatch);
        Assert.Throws<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(() => OrtRunner.Run(bytes, records));

        var batched = OrtRunner.Run(model.WithTaps(model.AutoLayers()), records);

        Assert.Equal([16, 10], batched[0].Shape);
        for (var r = 0; r < 16; r++)
        {
            var single = OrtRunner.Run(bytes, new FloatTensor(records.Record(r).ToArray(), [1, 1, 28, 28]));
            Tolerance.AssertClose(single[0].Data, batched[0].Data.AsSpan(r * 10, 10), 1e-5);
        }
    }

    [Theory]
    [InlineData(false, 1L, -1L)]
    [InlineData(true, 1L, -1L)]
    [InlineData(false, 1L, 1568L)]
    public void Fixed_batch_reshapes_that_hard_code_batch_1_are_freed(bool fromConstantNode, long first, long second)
    {
        // Rewrite the fixed-batch export's Flatten as Reshape(x, [1, -1]) or [1, 1568], as `x.view(1, -1)` exports.
        var bytes = ModelEdits.Edit(Fixtures.CnnFixedBatch, m =>
        {
            var flatten = m.Graph.Node.Single(n => n.OpType == "Flatten");
            flatten.OpType = "Reshape";
            flatten.Attribute.Clear();
            var shape = new TensorProto { Name = "fixed_shape", DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom([.. BitConverter.GetBytes(first), .. BitConverter.GetBytes(second)]) };
            shape.Dims.Add(2);
            if (fromConstantNode)
            {
                var constant = new NodeProto { OpType = "Constant", Name = "fixed_shape_node", Output = { "fixed_shape" } };
                constant.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = shape });
                m.Graph.Node.Insert(0, constant);
            }
            else m.Graph.Initializer.Add(shape);
            flatten.Input.Add("fixed_shape");
        });
        var model = OnnxModel.Load(bytes);
        var records = FashionMnist.Test().Take(16).Images;
        var reference = OrtRunner.Run(Fixtures.Bytes(Fixtures.Cnn), records);

        var tapped = OrtRunner.Run(model.WithTaps(["input"]), records);

        Tolerance.AssertClose(reference[0].Data, tapped[0].Data, 1e-5);
        Assert.Contains(model.Layers, l => l.OpType == "Reshape" && l.Shape!.SequenceEqual([32 * 7 * 7]));
    }

    [Fact]
    public void An_unknown_name_is_rejected_listing_valid_names()
    {
        var model = Fixtures.Model(Fixtures.Cnn);

        var e = Assert.Throws<OnnxModelException>(() => model.WithTaps(["conv9"]));

        Assert.Contains("'conv9'", e.Message);
        Assert.Contains("'input'", e.Message);
        Assert.Contains($"'{model.Layers[1].Name}'", e.Message);
    }

    [Fact]
    public void A_weight_is_not_a_tappable_tensor()
    {
        var model = Fixtures.Model(Fixtures.Cnn);

        Assert.Throws<OnnxModelException>(() => model.WithTaps([model.Proto.Graph.Initializer[0].Name]));
    }

    [Fact]
    public void Tapping_leaves_the_loaded_model_unchanged()
    {
        var model = OnnxModel.Load(Fixtures.Bytes(Fixtures.CnnFixedBatch));
        var before = model.Proto.ToByteArray();

        model.WithTaps(model.AutoLayers());

        Assert.Equal(before, model.Proto.ToByteArray());
    }
}
