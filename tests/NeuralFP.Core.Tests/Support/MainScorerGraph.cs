using Google.Protobuf;
using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Core.Tests.Support;

/// <summary>
/// The scorer graph exactly as main built it before the compact form (2026-12-01): one chain per layer of pool →
/// Sub/Div standardisation → MatMul+Add(+activation) per dense layer → Sub, Mul, MatMul, Reshape error, and the latent
/// distance as Sub, MatMul, Mul, MatMul, Reshape. Kept frozen so tests and benchmarks compare the current builder
/// with it (old stored scorer.onnx files have this form). Validation and pooling did not change, so they are the builder's own.
/// </summary>
internal static class MainScorerGraph
{
    private const long DefaultOpsetWhenMissing = 13;

    /// <exception cref="OnnxModelException">A layer's tensor cannot be tapped or its shape differs from the model's.</exception>
    /// <exception cref="ArgumentException">A layer's statistics or autoencoder do not fit its pooled width, or output names clash.</exception>
    public static byte[] Build(OnnxModel model, IReadOnlyList<FusedLayer> layers, ScorerExtras? extras = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0) throw new ArgumentException("Give at least one fused layer.", nameof(layers));

        var proto = TapRewriter.WithDynamicBatch(model);
        if (GraphEditor.DefaultOpset(proto) == 0)
            proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = DefaultOpsetWhenMissing });
        var editor = new GraphEditor(proto);

        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var width = ScorerGraphBuilder.Validate(model, layer, i);
            editor.Claim(layer.ErrorOutputName);
            var scope = $"l{i}/";
            var features = ScorerGraphBuilder.AppendPooling(editor, layer.TensorName, layer.TapShape, layer.Pooling, scope);
            var z = editor.Binary(scope + "centred", "Sub", features, editor.FloatConstant(scope + "mean", layer.Mean, width));
            z = editor.Binary(scope + "z", "Div", z, editor.FloatConstant(scope + "scale", layer.Scale, width));
            var (reconstruction, latent) = AppendAutoencoder(editor, layer.Autoencoder, z, scope);
            AppendError(editor, z, reconstruction, width, scope, layer.ErrorOutputName);
            proto.Graph.Output.Add(ProtoFactory.BatchFloatValueInfo(layer.ErrorOutputName, []));
            if (layer.Latent is not { } distance) continue;
            editor.Claim(layer.LatentOutputName!);
            AppendLatentDistance(editor, latent, distance, scope, layer.LatentOutputName!);
            proto.Graph.Output.Add(ProtoFactory.BatchFloatValueInfo(layer.LatentOutputName!, []));
        }
        AppendExtras(editor, proto, model, extras ?? ScorerExtras.None);
        return proto.ToByteArray();
    }

    private static void AppendExtras(GraphEditor editor, ModelProto proto, OnnxModel model, ScorerExtras extras)
    {
        foreach (var (tensor, output) in extras.Features)
        {
            var shape = model.Layer(tensor).Shape ?? throw new OnnxModelException($"Tensor '{tensor}' has no known shape to expose.");
            editor.Claim(output);
            editor.NodeTo(output, "Identity", [tensor]);
            proto.Graph.Output.Add(ProtoFactory.BatchFloatValueInfo(output, shape));
        }
        foreach (var head in extras.Heads)
        {
            if (head.Weight.Length != head.Inputs * head.Outputs || head.Bias.Length != head.Outputs)
                throw new ArgumentException($"Head '{head.OutputName}' needs a [{head.Inputs},{head.Outputs}] weight and {head.Outputs} biases.", nameof(extras));
            editor.Claim(head.OutputName);
            var scope = $"head/{head.OutputName}/";
            var product = editor.Node(scope + "matmul", "MatMul", [head.InputTensor, editor.FloatConstant(scope + "weight", head.Weight, head.Inputs, head.Outputs)]);
            var sum = editor.Binary(scope + "add", "Add", product, editor.FloatConstant(scope + "bias", head.Bias, head.Outputs));
            editor.NodeTo(head.OutputName, "Identity", [sum]);
            proto.Graph.Output.Add(ProtoFactory.BatchFloatValueInfo(head.OutputName, [head.Outputs]));
        }
    }

    private static (string Reconstruction, string Latent) AppendAutoencoder(GraphEditor editor, IReadOnlyList<DenseLayer> dense, string z, string scope)
    {
        var h = z;
        var latent = z;
        var bottleneck = dense.Count >= 2 && dense.Count % 2 == 0 ? LatentDistance.BottleneckIndex(dense) : -1;
        for (var j = 0; j < dense.Count; j++)
        {
            var d = dense[j];
            var name = $"{scope}ae{j}/";
            h = editor.Node(name + "matmul", "MatMul", [h, editor.FloatConstant(name + "weight", d.Weights, d.Inputs, d.Outputs)]);
            h = editor.Binary(name + "linear", "Add", h, editor.FloatConstant(name + "bias", d.Bias, d.Outputs));
            h = d.Activation switch
            {
                Activation.Identity => h,
                Activation.Relu => editor.Node(name + "relu", "Relu", [h]),
                Activation.Tanh => editor.Node(name + "tanh", "Tanh", [h]),
                _ => throw new ArgumentException($"Activation {d.Activation} has no ONNX form here.", nameof(dense)),
            };
            if (j == bottleneck) latent = h;
        }
        return (h, latent);
    }

    /// <summary>
    /// min_c ‖(h − μ_c)·W‖² as [N]. One mean: Sub, MatMul by the whitening, Mul, and a MatMul by a column of ones. Per
    /// class: the expanded form ‖u‖² − 2·u·m_c + ‖m_c‖² with u = (h − μ̄)·W (one MatMul by the [latent, classes] matrix of
    /// whitened means), and the minimum over classes as −MaxPool(−d), an op every opset reads the same way.
    /// </summary>
    private static void AppendLatentDistance(GraphEditor editor, string latent, LatentDistance distance, string scope, string output)
    {
        int k = distance.Width, classes = distance.Classes;
        var ones = new float[k];
        Array.Fill(ones, 1f);
        var centred = editor.Binary(scope + "latent_centred", "Sub", latent, editor.FloatConstant(scope + "latent_mean", distance.Centre(), k));
        var whitened = editor.Node(scope + "latent_whitened", "MatMul", [centred, editor.FloatConstant(scope + "latent_whitening", distance.Whitening, k, k)]);
        var squared = editor.Binary(scope + "latent_squared", "Mul", whitened, whitened);
        var sum = editor.Node(scope + "latent_sum", "MatMul", [squared, editor.FloatConstant(scope + "latent_ones", ones, k, 1)]);
        if (classes == 1)
        {
            editor.Reshape(scope + "latent_distance", sum, [-1], exactOutput: output);
            return;
        }
        var (means, norms) = distance.Expanded();
        var crossWeights = new float[k * classes];
        for (var c = 0; c < classes; c++)
            for (var j = 0; j < k; j++) crossWeights[j * classes + c] = -2f * means[c * k + j];
        var cross = editor.Node(scope + "latent_cross", "MatMul", [whitened, editor.FloatConstant(scope + "latent_class_means", crossWeights, k, classes)]);
        var perClass = editor.Binary(scope + "latent_class_partial", "Add", cross, sum);
        perClass = editor.Binary(scope + "latent_class_distance", "Add", perClass, editor.FloatConstant(scope + "latent_class_norms", norms, classes));
        var negated = editor.Node(scope + "latent_negated", "Neg", [editor.Reshape(scope + "latent_row", perClass, [-1, 1, classes])]);
        var largest = editor.Node(scope + "latent_max", "MaxPool", [negated], ProtoFactory.IntsAttribute("kernel_shape", [classes]));
        editor.Reshape(scope + "latent_distance", editor.Node(scope + "latent_min", "Neg", [largest]), [-1], exactOutput: output);
    }

    /// <summary>mean over features of (z − ẑ)², as [N].</summary>
    private static void AppendError(GraphEditor editor, string z, string reconstruction, int width, string scope, string output)
    {
        var diff = editor.Binary(scope + "residual", "Sub", z, reconstruction);
        var squared = editor.Binary(scope + "squared", "Mul", diff, diff);
        var averager = new float[width];
        Array.Fill(averager, 1f / width);
        var mean = editor.Node(scope + "mean_squared", "MatMul", [squared, editor.FloatConstant(scope + "averager", averager, width, 1)]);
        editor.Reshape(scope + "error", mean, [-1], exactOutput: output);
    }
}
