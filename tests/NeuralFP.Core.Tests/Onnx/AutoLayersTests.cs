using Google.Protobuf;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;
using NeuralFP.Core.Tests.Support;

namespace NeuralFP.Core.Tests.Onnx;

public class AutoLayersTests
{
    [Fact]
    public void Cnn_takes_input_both_conv_activations_the_dense_activation_and_logits()
    {
        var model = Fixtures.Model(Fixtures.Cnn);
        var relus = model.Proto.Graph.Node.Where(n => n.OpType == "Relu").Select(n => n.Output[0]).ToList();

        var auto = model.AutoLayers();

        Assert.Equal(["input", .. relus, "logits"], auto);
    }

    [Fact]
    public void Mlp_takes_input_each_dense_activation_and_logits()
    {
        var model = Fixtures.Model(Fixtures.Mlp);
        var relus = model.Proto.Graph.Node.Where(n => n.OpType == "Relu").Select(n => n.Output[0]).ToList();

        Assert.Equal(2, relus.Count);
        Assert.Equal(["input", .. relus, "logits"], model.AutoLayers());
    }

    [Fact]
    public void A_model_ending_in_softmax_takes_the_pre_softmax_tensor_as_logits()
    {
        var bytes = ModelEdits.Edit(Fixtures.Mlp, m =>
        {
            var last = m.Graph.Node[^1];
            last.Output[0] = "scores";
            var softmax = new NodeProto { Name = "softmax", OpType = "Softmax", Input = { "scores" }, Output = { "logits" } };
            softmax.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
            m.Graph.Node.Add(softmax);
        });
        var model = OnnxModel.Load(bytes);

        var auto = model.AutoLayers();

        Assert.Equal("scores", auto[^1]);
        Assert.DoesNotContain("logits", auto);
        Assert.Equal(LayerRole.Logits, model.Layers.Single(l => l.Name == "scores").Role);
    }

    [Fact]
    public void Activations_behind_a_bias_add_or_normalisation_still_follow_their_block()
    {
        // Split each Gemm into MatMul + Add, as some exporters write dense layers.
        var bytes = ModelEdits.Edit(Fixtures.Mlp, m =>
        {
            var nodes = m.Graph.Node.ToList();
            m.Graph.Node.Clear();
            foreach (var n in nodes)
            {
                if (n.OpType != "Gemm") { m.Graph.Node.Add(n); continue; }
                var weight = m.Graph.Initializer.Single(t => t.Name == n.Input[1]);
                var transposed = Transpose(weight, n.Input[1] + "_t");
                m.Graph.Initializer.Add(transposed);
                m.Graph.Node.Add(new NodeProto { OpType = "MatMul", Name = n.Name + "_mm", Input = { n.Input[0], transposed.Name }, Output = { n.Output[0] + "_mm" } });
                m.Graph.Node.Add(new NodeProto { OpType = "Add", Name = n.Name + "_add", Input = { n.Output[0] + "_mm", n.Input[2] }, Output = { n.Output[0] } });
            }
        });
        var original = Fixtures.Model(Fixtures.Mlp);

        Assert.Equal(original.AutoLayers(), OnnxModel.Load(bytes).AutoLayers());
    }

    private static TensorProto Transpose(TensorProto weight, string name)
    {
        // Gemm in the fixtures stores W as [out, in] with transB=1; MatMul needs [in, out].
        int rows = (int)weight.Dims[0], cols = (int)weight.Dims[1];
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(weight.RawData.Span);
        var t = new float[values.Length];
        for (var r = 0; r < rows; r++) for (var c = 0; c < cols; c++) t[c * rows + r] = values[r * cols + c];
        var tensor = new TensorProto { Name = name, DataType = 1, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.AsSpan())) };
        tensor.Dims.Add(cols);
        tensor.Dims.Add(rows);
        return tensor;
    }

    [Fact]
    public void A_transformer_offers_each_blocks_token_states_as_sequence_layers_not_its_attention_sums()
    {
        var model = OnnxModel.Load(SyntheticModels.TokenBlocks(blocks: 2));

        var sequences = model.Layers.Where(l => l.Role == LayerRole.Sequence).ToArray();

        Assert.Equal(["block0", "block1"], sequences.Select(l => l.Name));
        Assert.All(sequences, l => Assert.Equal([6, 4], l.Shape!));
        Assert.Equal(["input", "block0", "block1", "pooled", "logits"], model.AutoLayers());
    }

    [Fact]
    public void A_deep_transformer_keeps_four_evenly_spaced_blocks_the_last_included()
    {
        var model = OnnxModel.Load(SyntheticModels.TokenBlocks(blocks: 6));

        Assert.Equal(["block0", "block2", "block3", "block5"], model.Layers.Where(l => l.Role == LayerRole.Sequence).Select(l => l.Name));
    }

    [Fact]
    public void The_panel_transformer_taps_both_encoder_blocks_and_the_gru_only_its_hidden_states()
    {
        var transformer = OnnxModel.Load(Fixtures.Bytes("panel/transformer.onnx"));
        var gru = OnnxModel.Load(Fixtures.Bytes("panel/gru.onnx"));
        var resnet = OnnxModel.Load(Fixtures.Bytes("panel/resnet.onnx"));

        Assert.Equal(["/blocks/blocks.0/Add_1_output_0", "/blocks/blocks.1/Add_1_output_0"],
            transformer.Layers.Where(l => l.Role == LayerRole.Sequence).Select(l => l.Name));
        Assert.Equal(["/gru/Transpose_1_output_0"], gru.Layers.Where(l => l.Role == LayerRole.Sequence).Select(l => l.Name));
        // Conv residual sums are not token states.
        Assert.DoesNotContain(resnet.Layers, l => l.Role == LayerRole.Sequence);
    }

    [Fact]
    public void The_held_out_architectures_tap_what_their_results_were_measured_on()
    {
        // tools/build_holdout.py's models: the README's held-out table was measured on these choices.
        LayerCandidate[] Auto(string file) => [.. OnnxModel.Load(Fixtures.Bytes($"holdout/{file}")).Layers.Where(l => l.Role is not LayerRole.Other)];
        var mobilenet = Auto("mobilenet.onnx");
        var resnet20 = Auto("resnet20.onnx");
        var bilstm = Auto("bilstm.onnx");
        var mixer = Auto("mixer.onnx");
        var logSoftmax = Auto("logsoftmax_cnn.onnx");

        // Every HardSwish of the depthwise-separable blocks, and the GlobalAveragePool head's flattened features.
        Assert.Equal(7, mobilenet.Count(l => l.Role == LayerRole.Hidden && l.OpType == "HardSwish"));
        Assert.Equal([64], mobilenet.Single(l => l.Role == LayerRole.Penultimate).Shape!);
        // Depth: all 19 ReLUs of ResNet-20, so 22 layers with the input, the penultimate features and the logits.
        Assert.Equal(19, resnet20.Count(l => l.Role == LayerRole.Hidden));
        Assert.Equal(22, resnet20.Length);
        // The bidirectional LSTM's hidden states over time, both directions side by side.
        Assert.Equal([28, 96], bilstm.Single(l => l.Role == LayerRole.Sequence).Shape!);
        Assert.Equal(["/blocks/blocks.0/Add_1_output_0", "/blocks/blocks.1/Add_1_output_0"], mixer.Where(l => l.Role == LayerRole.Sequence).Select(l => l.Name));
        // The logits are the tensor the LogSoftmax reads, not the log-probabilities.
        Assert.Equal("Gemm", logSoftmax.Single(l => l.Role == LayerRole.Logits).OpType);
    }
}
