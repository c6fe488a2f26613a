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
/// with it (old stored scorer.onnx files have this form).
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
            var width = Validate(model, layer, i);
            editor.Claim(layer.ErrorOutputName);
            var scope = $"l{i}/";
            var features = AppendPooling(editor, layer.TensorName, layer.TapShape, layer.Pooling, scope);
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

    /// <summary>Returns the layer's pooled width after checking every part fits it.</summary>
    private static int Validate(OnnxModel model, FusedLayer layer, int i)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var candidate = model.Layer(layer.TensorName);
        if (layer.TapShape is null || !layer.TapShape.AsSpan().SequenceEqual(candidate.Shape))
            throw new OnnxModelException(
                $"Fused layer {i} says tensor '{layer.TensorName}' has record shape [{string.Join(",", layer.TapShape ?? [])}] but the model gives [{string.Join(",", candidate.Shape ?? [])}].");
        var width = layer.Pooling.FeatureCount(layer.TapShape);
        if (layer.Mean.Length != width || layer.Scale.Length != width)
            throw new ArgumentException($"Fused layer {i} ('{layer.TensorName}'): mean and scale need {width} values ({layer.Pooling} pooling of [{string.Join(",", layer.TapShape)}]) but have {layer.Mean.Length} and {layer.Scale.Length}.", nameof(layer));
        if (layer.Autoencoder is not { Count: > 0 })
            throw new ArgumentException($"Fused layer {i} ('{layer.TensorName}') has no autoencoder layers.", nameof(layer));
        var inputs = width;
        foreach (var dense in layer.Autoencoder)
        {
            if (dense.Inputs != inputs || dense.Weights.Length != dense.Inputs * dense.Outputs || dense.Bias.Length != dense.Outputs)
                throw new ArgumentException(
                    $"Fused layer {i} ('{layer.TensorName}'): a dense layer {dense.Inputs}→{dense.Outputs} with {dense.Weights.Length} weights and {dense.Bias.Length} biases " +
                    $"does not follow a width of {inputs}.", nameof(layer));
            inputs = dense.Outputs;
        }
        if (inputs != width)
            throw new ArgumentException($"Fused layer {i} ('{layer.TensorName}'): the autoencoder ends with width {inputs}, not the feature width {width}.", nameof(layer));
        if (string.IsNullOrEmpty(layer.ErrorOutputName))
            throw new ArgumentException($"Fused layer {i} ('{layer.TensorName}') needs an error output name.", nameof(layer));
        if (layer.Latent is { } latent)
        {
            var code = layer.Autoencoder[LatentDistance.BottleneckIndex(layer.Autoencoder)].Outputs;
            if (latent.Whitening.Length != code * code || latent.Means.Length == 0 || latent.Means.Length % code != 0 || string.IsNullOrEmpty(layer.LatentOutputName))
                throw new ArgumentException($"Fused layer {i} ('{layer.TensorName}'): the latent distance needs means of {code} values, a {code}x{code} whitening and an output name.", nameof(layer));
        }
        return width;
    }

    /// <summary>[N, ...tap] → [N, D], equal to <see cref="PoolingSpec.Pool"/>.</summary>
    private static string AppendPooling(GraphEditor editor, string tensor, int[] shape, PoolingSpec pooling, string scope)
    {
        if (shape.Length == 0) return editor.Reshape(scope + "features", tensor, [-1, 1]);
        if (pooling.Kind == PoolingKind.Time)
        {
            // [N, T, H] → [N, H, T] → (× [T, 1] of 1/T) → [N, H, 1] → [N, H]; opset-stable ops only.
            var hiddenFirst = editor.Node(scope + "time_last", "Transpose", [tensor], ProtoFactory.IntsAttribute("perm", [0, 2, 1]));
            var averager = new float[shape[0]];
            Array.Fill(averager, 1f / shape[0]);
            var mean = editor.Node(scope + "time_mean", "MatMul", [hiddenFirst, editor.FloatConstant(scope + "time_averager", averager, shape[0], 1)]);
            return editor.Reshape(scope + "features", mean, [-1, shape[1]]);
        }
        if (!PoolingSpec.IsMap(shape)) return tensor;
        var flatten = ProtoFactory.IntAttribute("axis", 1);
        if (pooling.Kind == PoolingKind.None) return editor.Node(scope + "features", "Flatten", [tensor], flatten);

        var spatial = shape.AsSpan(1);
        // GlobalAveragePool and AveragePool run on ORT's blocked conv layout; anything else forces the
        // whole map back to NCHW first, which costs more than the pooling itself.
        if (pooling.Grid == 1)
            return editor.Node(scope + "features", "Flatten", [editor.Node(scope + "global_mean", "GlobalAveragePool", [tensor])], flatten);
        var divisible = true;
        foreach (var d in spatial) divisible &= d % pooling.Grid == 0;
        if (divisible)
        {
            // Equal bins: a plain average pool with kernel = stride = side / k.
            var kernel = new long[spatial.Length];
            for (var a = 0; a < kernel.Length; a++) kernel[a] = spatial[a] / pooling.Grid;
            var pooledMap = editor.Node(scope + "grid_mean", "AveragePool", [tensor],
                ProtoFactory.IntsAttribute("kernel_shape", kernel), ProtoFactory.IntsAttribute("strides", kernel));
            return editor.Node(scope + "features", "Flatten", [pooledMap], flatten);
        }

        // Uneven bins: [N, C, ...spatial] → [N·C, S] → (× averaging matrix [S, K]) → [N·C, K] → [N, C·K]
        var size = 1;
        foreach (var d in spatial) size *= d;
        var bins = pooling.FeatureCount(shape) / shape[0];
        var rows = editor.Node(scope + "channels", "Flatten", [tensor], ProtoFactory.IntAttribute("axis", 2));
        var matrix = editor.FloatConstant(scope + "pool_matrix", AdaptiveBins.AveragingMatrix(spatial, pooling.Grid), size, bins);
        var pooled = editor.Node(scope + "pooled", "MatMul", [rows, matrix]);
        return editor.Reshape(scope + "features", pooled, [-1, (long)shape[0] * bins]);
    }

    /// <summary>Returns the reconstruction and the latent code (the bottleneck's output).</summary>
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
