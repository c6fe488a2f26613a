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

        string? inputResiduals = null;
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var width = Validate(model, layer, i);
            editor.Claim(layer.ErrorOutputName);
            var scope = $"l{i}/";
            var features = AppendPooling(editor, layer.TensorName, layer.TapShape, layer.Pooling, scope);
            var (latent, whitened, scaledResiduals) = AppendAutoencoderError(editor, features, layer, width, scope);
            if (layer.TensorName == model.InputName && layer.Pooling.Kind == PoolingKind.None && !layer.Pooling.L2Normalised && width == InputComplexity.Layout(model.InputShape).Length)
                inputResiduals = scaledResiduals;
            proto.Graph.Output.Add(ProtoFactory.BatchFloatValueInfo(layer.ErrorOutputName, []));
            if (layer.Latent is not { } distance) continue;
            editor.Claim(layer.LatentOutputName!);
            AppendLatentDistance(editor, latent, whitened, distance, scope, layer.LatentOutputName!);
            proto.Graph.Output.Add(ProtoFactory.BatchFloatValueInfo(layer.LatentOutputName!, []));
        }
        AppendExtras(editor, proto, model, extras ?? ScorerExtras.None, inputResiduals);
        return proto.ToByteArray();
    }

    private static void AppendExtras(GraphEditor editor, ModelProto proto, OnnxModel model, ScorerExtras extras, string? inputResiduals)
    {
        if (extras.InputComplexity) AppendInputComplexity(editor, proto, model);
        if (extras.InputRegionalGrid > 0)
            AppendInputRegionalError(editor, proto, model, inputResiduals ?? throw new ArgumentException(
                $"The input's regional error needs a fused layer on the whole model input '{model.InputName}' (unpooled); none of the layers is.", nameof(extras)), extras.InputRegionalGrid);
        if (extras.InputMarginals is { } marginals) AppendInputMarginals(editor, proto, model, marginals);
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
    /// <see cref="InputComplexity.Measure"/> of every record: the flattened input's ReduceSumSquare scaled by 1/D, and the
    /// ReduceL1 of its differences with the next value (and with the value a row further) scaled by 1/pairs.
    /// </summary>
    private static void AppendInputComplexity(GraphEditor editor, ModelProto proto, OnnxModel model)
    {
        var (length, rowWidth) = InputComplexity.Layout(model.InputShape);
        if (length < 2) throw new ArgumentException($"The input's complexity needs records of at least two values; '{model.InputName}' has {length}.", nameof(model));
        const string scope = "complexity/";
        foreach (var output in InputComplexity.Outputs) editor.Claim(output);
        // Every statistic reads the record as one row [N, 1, D] and reduces over both of its axes: no Reshape per sum, which
        // matters at batch 1, where each node costs about as much as its arithmetic.
        var row = editor.Reshape(scope + "row", model.InputName, [-1, 1, length]);
        long[] recordAxes = [1, 2];
        string Scaled(string output, string value, double scale) => ScaledTo(editor, output, value, scale, scope);
        Scaled(InputComplexity.EnergyOutput, editor.Reduce(scope + "sum_squares", "ReduceSumSquare", row, recordAxes, keepDims: false), 1.0 / length);
        // x[i + offset] − x[i] for every i as one Conv with the kernel [−1, 1] dilated by the offset: the same float values as
        // a Sub of two slices, without the slices' copies (a fifth to a third less time per batch of 256 of 28×28 inputs, `complexity`).
        var kernel = editor.FloatConstant(scope + "difference_kernel", [-1f, 1f], 1, 1, 2);
        string AbsoluteDifferences(string name, int offset)
        {
            var differences = editor.Node(scope + name, "Conv", [row, kernel], ProtoFactory.IntsAttribute("dilations", [offset]));
            return editor.Reduce(scope + name + "_l1", "ReduceL1", differences, recordAxes, keepDims: false);
        }
        var variation = AbsoluteDifferences("along", 1);
        if (rowWidth > 0 && rowWidth < length) variation = editor.Binary(scope + "variation_sum", "Add", variation, AbsoluteDifferences("across", rowWidth));
        Scaled(InputComplexity.VariationOutput, variation, 1.0 / InputComplexity.Pairs(length, rowWidth));
        foreach (var output in InputComplexity.Outputs) proto.Graph.Output.Add(ProtoFactory.BatchFloatValueInfo(output, []));
    }

    /// <summary>Whether the model's opset has what <see cref="InputMarginals"/> needs in the graph (Max and Min that broadcast, from opset 8).</summary>
    public static bool SupportsInputMarginals(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var version = GraphEditor.DefaultOpset(model.Proto);
        return version == 0 || version >= 8;
    }

    /// <summary>
    /// <see cref="InputMarginals.Measure"/> of every record: each column's bin ⌊x·slope + offset⌋ clamped to the outer bins,
    /// moved to the column's block of the flattened surprise table, gathered and summed (ReduceL1: every surprise is ≥ 0).
    /// </summary>
    private static void AppendInputMarginals(GraphEditor editor, ModelProto proto, OnnxModel model, InputMarginals marginals)
    {
        var width = InputComplexity.Layout(model.InputShape).Length;
        if (!InputMarginals.Applies(model.InputShape) || width != marginals.Width)
            throw new ArgumentException($"The input's marginal surprise needs a table's rows of {marginals.Width} columns; '{model.InputName}' has [{string.Join(",", model.InputShape)}].", nameof(marginals));
        const string scope = "marginals/";
        editor.Claim(InputMarginals.Output);
        var rows = model.InputShape.Length == 1 ? model.InputName : editor.Reshape(scope + "rows", model.InputName, [-1, width]);
        var position = editor.Binary(scope + "position", "Add",
            editor.Binary(scope + "scaled", "Mul", rows, editor.FloatConstant(scope + "slope", marginals.Slope, width)),
            editor.FloatConstant(scope + "offset", marginals.Offset, width));
        var bin = editor.Node(scope + "bin", "Floor", [position]);
        string low = editor.FloatConstant(scope + "first", [0f]), high = editor.FloatConstant(scope + "last", [marginals.Bins + 1f]);
        var clamped = editor.Opset >= 11
            ? editor.Node(scope + "clamped", "Clip", [bin, low, high])
            : editor.Binary(scope + "clamped", "Min", editor.Binary(scope + "floored", "Max", bin, low), high);
        var blocks = new float[width];
        for (var j = 0; j < width; j++) blocks[j] = j * marginals.Cells;
        var cell = editor.Binary(scope + "cell", "Add", clamped, editor.FloatConstant(scope + "blocks", blocks, width));
        var index = editor.Node(scope + "index", "Cast", [cell], ProtoFactory.IntAttribute("to", (long)TensorProto.Types.DataType.Int64));
        var surprise = editor.Node(scope + "surprise", "Gather", [editor.FloatConstant(scope + "table", marginals.Surprise, marginals.Surprise.Length), index]);
        editor.Reduce(scope + "sum", "ReduceL1", surprise, 1, keepDims: false, exactOutput: InputMarginals.Output);
        proto.Graph.Output.Add(ProtoFactory.BatchFloatValueInfo(InputMarginals.Output, []));
    }

    /// <summary><paramref name="output"/> = <paramref name="value"/> × a scalar constant.</summary>
    private static string ScaledTo(GraphEditor editor, string output, string value, double scale, string scope)
    {
        var factor = editor.FloatConstant(scope + "scale", [(float)scale]);
        return editor.Opset < 7 ? editor.NodeTo(output, "Mul", [value, factor], ProtoFactory.IntAttribute("broadcast", 1)) : editor.NodeTo(output, "Mul", [value, factor]);
    }

    /// <summary>
    /// <see cref="InputRegionalError.Measure"/> of every record, from the input layer's scaled residuals (z − ẑ)/√D: squared,
    /// seen as [N, planes, H, W], averaged per grid cell (AveragePool when the cells are equal, else a MatMul by the
    /// adaptive bins' averaging matrix), ReduceMax over the rest and × D.
    /// </summary>
    private static void AppendInputRegionalError(GraphEditor editor, ModelProto proto, OnnxModel model, string scaledResiduals, int grid)
    {
        var (planes, height, width) = InputRegionalError.Layout(model.InputShape, grid)
            ?? throw new ArgumentException($"The input's regional error needs records with two last axes of at least {grid}; '{model.InputName}' has [{string.Join(",", model.InputShape)}].", nameof(grid));
        const string scope = "regional/";
        editor.Claim(InputRegionalError.Output);
        var squares = editor.Binary(scope + "squares", "Mul", scaledResiduals, scaledResiduals);
        string largest;
        if (height % grid == 0 && width % grid == 0)
        {
            var map = editor.Reshape(scope + "map", squares, [-1, planes, height, width]);
            long[] kernel = [height / grid, width / grid];
            var cells = editor.Node(scope + "cell_means", "AveragePool", [map], ProtoFactory.IntsAttribute("kernel_shape", kernel), ProtoFactory.IntsAttribute("strides", kernel));
            largest = editor.Reduce(scope + "largest", "ReduceMax", cells, [1, 2, 3], keepDims: false);
        }
        else
        {
            var rows = editor.Reshape(scope + "planes", squares, [-1, (long)height * width]);
            var matrix = editor.FloatConstant(scope + "cell_averager", AdaptiveBins.AveragingMatrix([height, width], grid), (long)height * width, grid * grid);
            var cells = editor.Reshape(scope + "cells", editor.Node(scope + "cell_means", "MatMul", [rows, matrix]), [-1, (long)planes * grid * grid]);
            largest = editor.Reduce(scope + "largest", "ReduceMax", cells, 1, keepDims: false);
        }
        ScaledTo(editor, InputRegionalError.Output, largest, (double)planes * height * width, scope);
        proto.Graph.Output.Add(ProtoFactory.BatchFloatValueInfo(InputRegionalError.Output, []));
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
    internal static int Validate(OnnxModel model, FusedLayer layer, int i)
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
    internal static string AppendPooling(GraphEditor editor, string tensor, int[] shape, PoolingSpec pooling, string scope)
    {
        var features = AppendPoolingOnly(editor, tensor, shape, pooling, scope);
        if (!pooling.L2Normalised) return features;
        return editor.Node(scope + "l2", "LpNormalization", [features], ProtoFactory.IntAttribute("axis", 1), ProtoFactory.IntAttribute("p", 2));
    }

    private static string AppendPoolingOnly(GraphEditor editor, string tensor, int[] shape, PoolingSpec pooling, string scope)
    {
        if (shape.Length == 0) return editor.Reshape(scope + "features", tensor, [-1, 1]);
        if (pooling.OverTime)
        {
            // [N, T, H] → [N, H, T] → (× [T, S] segment averager; S = 1 for "time") → [N, H, S] → [N, H·S], feature-major as
            // PoolingSpec.Pool writes them; opset-stable ops only.
            var segments = pooling.Segments;
            var hiddenFirst = editor.Node(scope + "time_last", "Transpose", [tensor], ProtoFactory.IntsAttribute("perm", [0, 2, 1]));
            var averager = editor.FloatConstant(scope + "segment_averager", AdaptiveBins.AveragingMatrix([shape[0]], segments), shape[0], segments);
            var means = editor.Node(scope + "segment_means", "MatMul", [hiddenFirst, averager]);
            return editor.Reshape(scope + "features", means, [-1, (long)shape[1] * segments]);
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
    /// returns the tensor the latent distance starts from: the latent code, or (<c>Whitened</c>) its whitened form u, and the
    /// scaled residuals (z − ẑ)/√D the error sums the squares of.
    /// </summary>
    /// <remarks>
    /// The same maths as standardise → autoencoder → squared residual, reparametrised so that it costs fewer ONNX
    /// Runtime nodes (at small batches the cost is per node), every constant folded in double precision:
    /// <list type="bullet">
    /// <item>1/σ and the centring are folded into the first dense layer: x·(W/σ) + (b − (μ/σ)·W).</item>
    /// <item>A linear last layer is brought back to feature units (weights × σ) and given C = x, so its one Gemm returns
    /// the residual r = x − x̂ = σ·(z − ẑ); the constant μ + σ·b_L it also needs rides on one extra unit of the layer
    /// before, whose weights are 0 and bias 1 (ReLU and identity leave it 1).</item>
    /// <item>With a latent distance, the bottleneck (a linear layer) returns the whitened code u = (h − μ̄)·W_h directly and
    /// the next layer takes u (its weights × W_h⁻¹), so the distance is a ReduceSumSquare of u.</item>
    /// <item>The error is the sum of squares of r ⊙ s, s_j = 1/(σ_j·√D): Mul and ReduceSumSquare, [N] with no Reshape.</item>
    /// </list>
    /// Where folding the centring would cost precision (|μ/σ| above <see cref="MaxFoldedOffset"/>) or the layers do not
    /// allow it, the centring stays a Sub of its own and the residual Gemm takes the centred features as C. Per layer:
    /// one Gemm (+ activation) per dense layer, Mul, ReduceSumSquare, against Sub, Div, MatMul + Add (+ activation) per
    /// dense layer, Sub, Mul, MatMul and Reshape, and Sub, MatMul, Mul, MatMul, Reshape for the latent distance before.
    /// <see cref="Explanations.InputErrorGraph"/> reads the squared residuals back as D·(r ⊙ s)².
    /// </remarks>
    private static (string Latent, bool Whitened, string ScaledResiduals) AppendAutoencoderError(GraphEditor editor, string features, FusedLayer layer, int width, string scope)
    {
        var dense = layer.Autoencoder.Select(d => new FoldedDense(d)).ToArray();
        var count = dense.Length;
        var bottleneck = count >= 2 && count % 2 == 0 ? LatentDistance.BottleneckIndex(layer.Autoencoder) : -1;
        var whitened = layer.Latent is not null && bottleneck >= 0 && dense[bottleneck].Activation == Activation.Identity;
        if (whitened) FoldWhitening(dense[bottleneck], dense[bottleneck + 1], layer.Latent!);

        var last = dense[^1];
        // A linear last layer (every autoencoder NeuralFP trains) gives the residual in one Gemm; anything else is decoded
        // to z units and compared after scaling back by σ.
        var residualGemm = count >= 2 && last.Activation == Activation.Identity;
        var before = count >= 2 ? dense[^2] : null;
        var foldCentring = residualGemm && count > 2 && bottleneck != count - 2 && before!.Activation is Activation.Relu or Activation.Identity
            && Enumerable.Range(0, width).All(j => Math.Abs(layer.Mean[j] / (double)layer.Scale[j]) <= MaxFoldedOffset);
        // x̂ = σ ⊙ (h·W_L + b_L) + μ: the constant part.
        var offset = new double[width];
        for (var j = 0; j < width; j++) offset[j] = layer.Mean[j] + (residualGemm ? layer.Scale[j] * last.Bias[j] : 0);
        // The chain's input v = x − k; the first layer reads z = (v + k − μ)/σ.
        var k = foldCentring ? new double[width] : offset;
        FoldStandardisation(dense[0], layer.Mean, layer.Scale, k);
        if (foldCentring) before!.AppendConstantUnit();

        var v = features;
        if (!foldCentring)
            v = editor.Binary(scope + "centred", "Sub", features, editor.FloatConstant(scope + "centre", [.. k.Select(c => (float)c)], width));
        var h = v;
        var latent = v;
        var hidden = residualGemm ? count - 1 : count;
        for (var j = 0; j < hidden; j++)
        {
            var d = dense[j];
            var name = $"{scope}ae{j}/";
            h = editor.Affine(name + "linear", h, editor.FloatConstant(name + "weight", d.FloatWeights(), d.Inputs, d.Outputs), editor.FloatConstant(name + "bias", d.FloatBias(), d.Outputs));
            h = Activate(editor, h, d.Activation, name);
            if (j == bottleneck) latent = h;
        }

        string residual;
        if (residualGemm)
        {
            var name = $"{scope}ae{count - 1}/";
            // r = v − h·(W_L·σ), with the constant row −(μ + σ·b_L) when h carries the constant unit and v = x.
            var weights = new float[last.Inputs * width];
            var rows = last.Inputs;
            for (var i = 0; i < rows; i++)
                for (var o = 0; o < width; o++) weights[i * width + o] = (float)(-last.Weights[i * width + o] * layer.Scale[o]);
            if (foldCentring)
            {
                rows = before!.Outputs;
                Array.Resize(ref weights, rows * width);
                for (var o = 0; o < width; o++) weights[(rows - 1) * width + o] = (float)-offset[o];
            }
            residual = editor.Affine(scope + "residual", h, editor.FloatConstant(name + "weight", weights, rows, width), v);
        }
        else
        {
            var rescaled = editor.Binary(scope + "reconstruction", "Mul", h, editor.FloatConstant(scope + "scale", layer.Scale, width));
            residual = editor.Binary(scope + "residual", "Sub", v, rescaled);
        }
        // r ⊙ s with s_j = 1/(σ_j·√D) is (z − ẑ)/√D; its sum of squares over features is the error, [N] with no Reshape.
        var perFeature = new float[width];
        for (var j = 0; j < width; j++) perFeature[j] = (float)(1.0 / (layer.Scale[j] * Math.Sqrt(width)));
        var scaled = editor.Binary(scope + "scaled_residual", "Mul", residual, editor.FloatConstant(scope + "error_scale", perFeature, width));
        editor.Reduce(scope + "error", "ReduceSumSquare", scaled, 1, keepDims: false, exactOutput: layer.ErrorOutputName);
        return (latent, whitened, scaled);
    }

    /// <summary>Largest |μ_j/σ_j| for which the centring is folded into the first layer's bias: beyond it, x·(W/σ) and
    /// (μ/σ)·W would cancel and lose float precision that (x − μ) keeps.</summary>
    private const double MaxFoldedOffset = 100;

    /// <summary>
    /// The first dense layer for inputs v = x − k instead of z = (x − μ)/σ: W' = diag(1/σ)·W, b' = b + ((k − μ)/σ)·W.
    /// </summary>
    private static void FoldStandardisation(FoldedDense first, float[] mean, float[] scale, double[] k)
    {
        for (var i = 0; i < first.Inputs; i++)
        {
            var shift = (k[i] - mean[i]) / scale[i];
            for (var o = 0; o < first.Outputs; o++)
            {
                var w = first.Weights[i * first.Outputs + o];
                first.Bias[o] += shift * w;
                first.Weights[i * first.Outputs + o] = w / scale[i];
            }
        }
    }

    /// <summary>
    /// The bottleneck returns u = (h − μ̄)·W_h instead of h (W_b·W_h, (b_b − μ̄)·W_h) and the next layer reads u
    /// (W_h⁻¹·W, b − … so that u·W' + b' = h·W + b). W_h is triangular with a positive diagonal, so W_h⁻¹ exists.
    /// </summary>
    private static void FoldWhitening(FoldedDense code, FoldedDense next, LatentDistance distance)
    {
        int k = distance.Width;
        var whitening = distance.Whitening.Select(w => (double)w).ToArray();
        var centre = distance.Centre();
        // u = h·W_h − μ̄·W_h.
        var weights = MatMul(code.Weights, code.Inputs, k, whitening, k);
        var centred = new double[k];
        for (var i = 0; i < k; i++) centred[i] = code.Bias[i] - centre[i];
        var bias = MatMul(centred, 1, k, whitening, k);
        Array.Copy(weights, code.Weights, weights.Length);
        Array.Copy(bias, code.Bias, k);
        // h = u·W_h⁻¹ + μ̄, so h·W + b = u·(W_h⁻¹·W) + (μ̄·W + b).
        var inverse = InvertUpperTriangular(whitening, k);
        var nextWeights = MatMul(inverse, k, k, next.Weights, next.Outputs);
        var shift = MatMul([.. centre.Select(c => (double)c)], 1, k, next.Weights, next.Outputs);
        Array.Copy(nextWeights, next.Weights, nextWeights.Length);
        for (var o = 0; o < next.Outputs; o++) next.Bias[o] += shift[o];
    }

    private static double[] MatMul(double[] a, int rows, int inner, double[] b, int columns)
    {
        var product = new double[rows * columns];
        for (var r = 0; r < rows; r++)
            for (var i = 0; i < inner; i++)
            {
                var x = a[r * inner + i];
                if (x == 0) continue;
                for (var c = 0; c < columns; c++) product[r * columns + c] += x * b[i * columns + c];
            }
        return product;
    }

    /// <summary>The inverse of an upper-triangular [k, k] matrix (row-major) by back substitution.</summary>
    private static double[] InvertUpperTriangular(double[] upper, int k)
    {
        var inverse = new double[k * k];
        for (var column = 0; column < k; column++)
            for (var row = column; row >= 0; row--)
            {
                var sum = row == column ? 1.0 : 0.0;
                for (var j = row + 1; j <= column; j++) sum -= upper[row * k + j] * inverse[j * k + column];
                inverse[row * k + column] = sum / upper[row * k + row];
            }
        return inverse;
    }

    /// <summary>A dense layer's weights and bias in double, while constants are folded into them.</summary>
    private sealed class FoldedDense(DenseLayer layer)
    {
        public int Inputs { get; } = layer.Inputs;
        public int Outputs { get; private set; } = layer.Outputs;
        public Activation Activation { get; } = layer.Activation;
        public double[] Weights { get; private set; } = [.. layer.Weights.Select(w => (double)w)];
        public double[] Bias { get; private set; } = [.. layer.Bias.Select(b => (double)b)];

        /// <summary>One more output whose weights are 0 and bias 1: after ReLU or identity it is the constant 1.</summary>
        public void AppendConstantUnit()
        {
            var widened = new double[Inputs * (Outputs + 1)];
            for (var i = 0; i < Inputs; i++) Array.Copy(Weights, i * Outputs, widened, i * (Outputs + 1), Outputs);
            Weights = widened;
            Bias = [.. Bias, 1.0];
            Outputs++;
        }

        public float[] FloatWeights() => [.. Weights.Select(w => (float)w)];

        public float[] FloatBias() => [.. Bias.Select(b => (float)b)];
    }

    private static string Activate(GraphEditor editor, string h, Activation activation, string name) => activation switch
    {
        Activation.Identity => h,
        Activation.Relu => editor.Node(name + "relu", "Relu", [h]),
        Activation.Tanh => editor.Node(name + "tanh", "Tanh", [h]),
        _ => throw new ArgumentException($"Activation {activation} has no ONNX form here.", nameof(activation)),
    };

    /// <summary>
    /// min_c ‖(h − μ_c)·W‖² as [N]. u = (h − μ̄)·W is one Gemm (bias −μ̄·W), or already computed by the chain
    /// (<paramref name="whitened"/>). One mean: ReduceSumSquare of u. Per class: ‖u − m_c‖² for every whitened class mean
    /// m_c = (μ_c − μ̄)·W at once (Reshape, Sub, ReduceSumSquare) and ReduceMin over classes.
    /// </summary>
    /// <summary>Most latent means compared by direct differences; more (sampled codes) go through one MatMul.</summary>
    internal const int MaxDirectLatentMeans = 64;

    private static void AppendLatentDistance(GraphEditor editor, string latent, bool whitened, LatentDistance distance, string scope, string output)
    {
        int k = distance.Width, classes = distance.Classes;
        if (!whitened)
        {
            var centre = distance.Centre();
            var offset = new float[k];
            for (var j = 0; j < k; j++)
            {
                double shift = 0;
                for (var i = 0; i < k; i++) shift -= centre[i] * (double)distance.Whitening[i * k + j];
                offset[j] = (float)shift;
            }
            latent = editor.Affine(scope + "latent_whitened", latent, editor.FloatConstant(scope + "latent_whitening", distance.Whitening, k, k),
                editor.FloatConstant(scope + "latent_offset", offset, k));
        }
        var u = latent;
        if (classes == 1)
        {
            editor.Reduce(scope + "latent_distance", "ReduceSumSquare", u, 1, keepDims: false, exactOutput: output);
            return;
        }
        var (means, norms) = distance.Expanded();
        string perClass;
        if (editor.Opset >= 7 && classes <= MaxDirectLatentMeans)
        {
            // ‖u − m_c‖² directly ([N, 1, k] − [classes, k] → [N, classes, k]): no cancellation between large terms.
            var row = editor.Reshape(scope + "latent_row", u, [-1, 1, k]);
            var differences = editor.Binary(scope + "latent_class_differences", "Sub", row, editor.FloatConstant(scope + "latent_class_means", means, classes, k));
            perClass = editor.Reduce(scope + "latent_class_distance", "ReduceSumSquare", differences, 2, keepDims: false);
        }
        else
        {
            // Older broadcasting cannot pair [N, 1, k] with [classes, k], and with many means (a nearest-code distance) the
            // direct form's [N, classes, k] difference tensor would be large: the expanded form ‖u‖² − 2·u·m_c + ‖m_c‖²
            // (one MatMul; u and m_c are whitened, so its terms stay of the order of k and float keeps ~1e-5 of them).
            var crossWeights = new float[k * classes];
            for (var c = 0; c < classes; c++)
                for (var j = 0; j < k; j++) crossWeights[j * classes + c] = -2f * means[c * k + j];
            var cross = editor.Affine(scope + "latent_cross", u, editor.FloatConstant(scope + "latent_class_means", crossWeights, k, classes),
                editor.FloatConstant(scope + "latent_class_norms", norms, classes));
            perClass = editor.Binary(scope + "latent_class_distance", "Add", cross, editor.Reduce(scope + "latent_sum", "ReduceSumSquare", u, 1, keepDims: true));
        }
        editor.Reduce(scope + "latent_distance", "ReduceMin", perClass, 1, keepDims: false, exactOutput: output);
    }
}
