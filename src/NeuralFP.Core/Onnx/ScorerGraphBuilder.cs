using Google.Protobuf;
using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Core.Onnx;

/// <summary>
/// Fuses a model with its layer autoencoders into one graph whose outputs are the model's own
/// outputs followed by one [N] error tensor per layer.
/// </summary>
/// <remarks>
/// Appended ops are each written in the form the model's own opset reads (Gemm from opset 7, MatMul + Add before;
/// reduction axes as attribute or input), so the model's opset import stays as it is. Pooling uses GlobalAveragePool
/// for global means, AveragePool when every bin has the same size, and a MatMul by a constant bin-averaging matrix
/// otherwise. The per-layer chain is kept to as few nodes as the maths allows (see <see cref="AppendAutoencoderError"/>):
/// at batch 1 ONNX Runtime's cost is per node. Scorer graphs written by earlier versions (standardisation as Sub and
/// Div, MatMul + Add per dense layer, a Reshape after each error) are read and scored the same way: the outputs, their
/// names and meaning have not changed.
/// </remarks>
public static class ScorerGraphBuilder
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
            var latent = AppendAutoencoderError(editor, features, layer, width, scope);
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
            editor.Affine(scope + "linear", head.InputTensor, editor.FloatConstant(scope + "weight", head.Weight, head.Inputs, head.Outputs),
                editor.FloatConstant(scope + "bias", head.Bias, head.Outputs), exactOutput: head.OutputName);
            proto.Graph.Output.Add(ProtoFactory.BatchFloatValueInfo(head.OutputName, [head.Outputs]));
        }
    }

    /// <summary>
    /// The model with only the pooled features of each layer as outputs (named in the returned list),
    /// the ONNX twin of <see cref="PoolingSpec.Pool"/>.
    /// </summary>
    internal static (byte[] Model, IReadOnlyList<string> Outputs) BuildFeatureGraph(OnnxModel model, IReadOnlyList<LayerSpec> layers)
    {
        var proto = TapRewriter.WithDynamicBatch(model);
        var editor = new GraphEditor(proto);
        proto.Graph.Output.Clear();
        var outputs = new List<string>();
        for (var i = 0; i < layers.Count; i++)
        {
            var shape = model.Layer(layers[i].Name).Shape!;
            var features = AppendPooling(editor, layers[i].Name, shape, layers[i].Pooling, $"l{i}/");
            outputs.Add(features);
            proto.Graph.Output.Add(new ValueInfoProto { Name = features });
        }
        return (proto.ToByteArray(), outputs);
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

    /// <summary>
    /// The layer's error, mean over features of (z − ẑ)² with z = (x − μ)/σ, as [N] under the layer's error output name;
    /// returns the latent code (the bottleneck's output) for the latent distance.
    /// </summary>
    /// <remarks>
    /// The same maths as standardise → autoencoder → squared residual, reparametrised so that it costs fewer ONNX
    /// Runtime nodes (at small batches the cost is per node): 1/σ is folded into the first dense layer's weights; with a
    /// linear last layer its output is brought back to the centred feature space (weights × σ) and its bias moved into the
    /// centring, c = x − (μ + σ·b_L), so that one Gemm with c as its C input returns the residual r = c − (h·W_L·σ) =
    /// σ·(z − ẑ) directly; the error is then (r ⊙ r)·w with w_j = 1/(D·σ_j²). The centring stays a subtraction of its own
    /// (not folded into the first layer's bias) so that features far from zero lose no precision. Per layer:
    /// Sub, one Gemm (+ activation) per dense layer, Mul, ReduceSumSquare, against Sub, Div, MatMul + Add (+ activation)
    /// per dense layer, Sub, Mul, MatMul and Reshape before. <see cref="Explanations.InputErrorGraph"/> reads the squared
    /// residuals back as D·(r ⊙ s)².
    /// </remarks>
    private static string AppendAutoencoderError(GraphEditor editor, string features, FusedLayer layer, int width, string scope)
    {
        var dense = layer.Autoencoder;
        var last = dense[^1];
        // A linear last layer (every autoencoder NeuralFP trains) gives the residual in one Gemm; anything else is decoded
        // to z units and compared after scaling back by σ.
        var residualGemm = dense.Count >= 2 && last.Activation == Activation.Identity;
        var centre = new float[width];
        for (var j = 0; j < width; j++) centre[j] = residualGemm ? (float)(layer.Mean[j] + (double)layer.Scale[j] * last.Bias[j]) : layer.Mean[j];
        var centred = editor.Binary(scope + "centred", "Sub", features, editor.FloatConstant(scope + "centre", centre, width));

        var bottleneck = dense.Count >= 2 && dense.Count % 2 == 0 ? LatentDistance.BottleneckIndex(dense) : -1;
        var h = centred;
        var latent = centred;
        var hidden = residualGemm ? dense.Count - 1 : dense.Count;
        for (var j = 0; j < hidden; j++)
        {
            var d = dense[j];
            var name = $"{scope}ae{j}/";
            var (weights, bias) = j == 0 ? FoldStandardisation(d, layer.Scale, residualGemm ? last.Bias : null) : (d.Weights, d.Bias);
            h = editor.Affine(name + "linear", h, editor.FloatConstant(name + "weight", weights, d.Inputs, d.Outputs), editor.FloatConstant(name + "bias", bias, d.Outputs));
            h = Activate(editor, h, d.Activation, name);
            if (j == bottleneck) latent = h;
        }

        string residual;
        if (residualGemm)
        {
            var name = $"{scope}ae{dense.Count - 1}/";
            var negatedScaled = new float[last.Weights.Length];
            for (var i = 0; i < last.Inputs; i++)
                for (var o = 0; o < last.Outputs; o++) negatedScaled[i * last.Outputs + o] = (float)(-(double)last.Weights[i * last.Outputs + o] * layer.Scale[o]);
            residual = editor.Affine(scope + "residual", h, editor.FloatConstant(name + "weight", negatedScaled, last.Inputs, last.Outputs), centred);
        }
        else
        {
            var rescaled = editor.Binary(scope + "reconstruction", "Mul", h, editor.FloatConstant(scope + "scale", layer.Scale, width));
            residual = editor.Binary(scope + "residual", "Sub", centred, rescaled);
        }
        // r ⊙ s with s_j = 1/(σ_j·√D) is (z − ẑ)/√D; its sum of squares over features is the error, [N] with no Reshape.
        var perFeature = new float[width];
        for (var j = 0; j < width; j++) perFeature[j] = (float)(1.0 / (layer.Scale[j] * Math.Sqrt(width)));
        var scaled = editor.Binary(scope + "scaled_residual", "Mul", residual, editor.FloatConstant(scope + "error_scale", perFeature, width));
        editor.Reduce(scope + "error", "ReduceSumSquare", scaled, 1, keepDims: false, exactOutput: layer.ErrorOutputName);
        return latent;
    }

    /// <summary>
    /// The first dense layer's weights and bias for centred features c instead of z = c/σ − b_L (b_L the last layer's bias
    /// moved into the centring, or none): W' = diag(1/σ)·W, b' = b + b_L·W.
    /// </summary>
    private static (float[] Weights, float[] Bias) FoldStandardisation(DenseLayer first, float[] scale, float[]? lastBias)
    {
        var weights = new float[first.Weights.Length];
        var bias = new double[first.Outputs];
        for (var o = 0; o < first.Outputs; o++) bias[o] = first.Bias[o];
        for (var i = 0; i < first.Inputs; i++)
        {
            var shift = lastBias is null ? 0.0 : lastBias[i];
            for (var o = 0; o < first.Outputs; o++)
            {
                double w = first.Weights[i * first.Outputs + o];
                weights[i * first.Outputs + o] = (float)(w / scale[i]);
                bias[o] += shift * w;
            }
        }
        return (weights, [.. bias.Select(b => (float)b)]);
    }

    private static string Activate(GraphEditor editor, string h, Activation activation, string name) => activation switch
    {
        Activation.Identity => h,
        Activation.Relu => editor.Node(name + "relu", "Relu", [h]),
        Activation.Tanh => editor.Node(name + "tanh", "Tanh", [h]),
        _ => throw new ArgumentException($"Activation {activation} has no ONNX form here.", nameof(activation)),
    };

    /// <summary>
    /// min_c ‖(h − μ_c)·W‖² as [N]. u = (h − μ̄)·W is one Gemm (bias −μ̄·W). One mean: ReduceSumSquare of u. Per class:
    /// the expanded form ‖u‖² − 2·u·m_c + ‖m_c‖² (one Gemm by the [latent, classes] matrix of −2·whitened means with the
    /// norms as its C, plus ‖u‖²) and ReduceMin over classes.
    /// </summary>
    private static void AppendLatentDistance(GraphEditor editor, string latent, LatentDistance distance, string scope, string output)
    {
        int k = distance.Width, classes = distance.Classes;
        var centre = distance.Centre();
        var offset = new float[k];
        for (var j = 0; j < k; j++)
        {
            double shift = 0;
            for (var i = 0; i < k; i++) shift -= centre[i] * (double)distance.Whitening[i * k + j];
            offset[j] = (float)shift;
        }
        var whitened = editor.Affine(scope + "latent_whitened", latent, editor.FloatConstant(scope + "latent_whitening", distance.Whitening, k, k),
            editor.FloatConstant(scope + "latent_offset", offset, k));
        if (classes == 1)
        {
            editor.Reduce(scope + "latent_distance", "ReduceSumSquare", whitened, 1, keepDims: false, exactOutput: output);
            return;
        }
        var (means, norms) = distance.Expanded();
        var crossWeights = new float[k * classes];
        for (var c = 0; c < classes; c++)
            for (var j = 0; j < k; j++) crossWeights[j * classes + c] = -2f * means[c * k + j];
        var cross = editor.Affine(scope + "latent_cross", whitened, editor.FloatConstant(scope + "latent_class_means", crossWeights, k, classes),
            editor.FloatConstant(scope + "latent_class_norms", norms, classes));
        var sum = editor.Reduce(scope + "latent_sum", "ReduceSumSquare", whitened, 1, keepDims: true);
        var perClass = editor.Binary(scope + "latent_class_distance", "Add", cross, sum);
        editor.Reduce(scope + "latent_distance", "ReduceMin", perClass, 1, keepDims: false, exactOutput: output);
    }
}
