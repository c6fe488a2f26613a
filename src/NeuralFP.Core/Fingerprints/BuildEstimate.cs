using System.Globalization;
using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;

namespace NeuralFP.Core.Fingerprints;

/// <summary>One tapped layer as the build will see it: its tensor, pooling, features and autoencoder size.</summary>
public sealed record LayerEstimate(string Name, int[] TapShape, PoolingSpec Pooling, long Features, long AutoencoderParameters, bool Fingerprinted);

/// <summary>
/// What a build will cost, from the options and the model's shapes alone (no data is touched), so a build over
/// <see cref="BuildLimits"/> is refused before any work. Sizes are float32. Memory counts what the build holds at its
/// peak: the reference (or one batch of it when streamed), the pooled activations of the autoencoders' sample
/// (capped by <see cref="FingerprintOptions.MaxTrainingRecords"/>) at every layer and of the held-out records at the
/// detectors' layers and the detectors' copy of the sample (a layer's features are standardised in place), the training
/// state of the <see cref="FingerprintBuilder.LayersSideBySide"/> largest autoencoders (trained at once), the autoencoders, one extraction
/// batch's raw taps, the split's indices and the calibration errors (a few values per reference record), the self-check's
/// copies of one calibration batch's sampled records and one run of their shifts, and the scorer graph three times (proto,
/// bytes, ONNX Runtime session). The process's own base is not counted.
/// </summary>
public sealed record BuildEstimate(IReadOnlyList<LayerEstimate> Layers, long Records, long ReferenceBytesHeld, long AutoencoderParameters, long ScorerBytes, long BuildMemoryBytes)
{
    private const long FloatBytes = sizeof(float);

    /// <param name="taps">Every tensor extraction reads, with its record shape and pooling; <c>Fingerprinted</c> false for a detector-only tap.</param>
    /// <param name="referenceBytesHeld">Bytes of reference records held at once: all of them, or one batch when streamed.</param>
    /// <param name="detectorTaps">The taps the detectors read, whose held-out records are kept too; null when no detector is fitted.</param>
    /// <param name="inputName">The model input's name, whose autoencoder is <see cref="FingerprintOptions.InputAutoencoder"/> when that is set.</param>
    /// <param name="recordLength">Values per reference record (the self-check copies some of a calibration batch's records).</param>
    public static BuildEstimate For(long modelBytes, IReadOnlyList<(string Name, int[] Shape, PoolingSpec Pooling, bool Fingerprinted)> taps, long records, long referenceBytesHeld, FingerprintOptions options, IReadOnlyCollection<string>? detectorTaps = null, string? inputName = null, long recordLength = 0)
    {
        ArgumentNullException.ThrowIfNull(taps);
        ArgumentNullException.ThrowIfNull(options);
        var split = ReferenceSplit.SizesFor((int)Math.Min(records, int.MaxValue), options.HeldOutFraction, options.ValidationFraction, options.MaxTrainingRecords, options.UnseenFrom);
        // The options the build will fit per layer; the automatic kind follows the training records, known from the split.
        AutoencoderOptions AutoencoderFor(string layer) => options.AutoencoderFor(layer == inputName, split.Train);
        var layers = taps.Select(t =>
        {
            var features = t.Pooling.FeatureCountOrMax(t.Shape);
            return new LayerEstimate(t.Name, t.Shape, t.Pooling, features, t.Fingerprinted ? AutoencoderParametersFor(features, AutoencoderFor(t.Name)) : 0, t.Fingerprinted);
        }).ToArray();

        var parameters = Sum(layers.Select(l => l.AutoencoderParameters));
        var standardizers = Sum(layers.Where(l => l.Fingerprinted).Select(l => Mul(2, l.Features)));
        var scorer = Add(modelBytes, Mul(FloatBytes, Add(parameters, standardizers)));

        long sample = split.Train + split.Validation;
        long heldOut = detectorTaps is null ? 0 : split.HeldOut;
        long calibration = split.HeldOut + split.Validation;
        var features = Add(
            Sum(layers.Select(l => Mul(sample, l.Features))),
            Sum(layers.Where(l => detectorTaps?.Contains(l.Name) == true).Select(l => Mul(heldOut, l.Features))));
        // What fitting one autoencoder holds beyond its weights: the MLP's best weights, gradients and Adam moments; PCA's
        // centred copy of the records, its covariance or Gram matrix and the eigen solver's basis.
        var training = Sum(layers.Where(l => l.Fingerprinted).Select(l => AutoencoderFor(l.Name) is { Kind: AutoencoderKind.Pca } pca
                ? PcaWorkingFloats(split.Train, l.Features, AutoencoderArchitecture.For((int)Math.Clamp(l.Features, AutoencoderArchitecture.MinWidth, int.MaxValue), pca).Bottleneck)
                : Mul(4, l.AutoencoderParameters))
            .OrderDescending().Take(FingerprintBuilder.LayersSideBySide));
        var detectorSample = Sum(layers.Where(l => detectorTaps?.Contains(l.Name) == true).Select(l => Mul(sample, l.Features)));
        var tapBatch = Mul(options.BatchSize, Sum(layers.Select(l => l.TapShape.Aggregate(1L, (a, d) => Mul(a, d)))));
        var fingerprinted = layers.LongCount(l => l.Fingerprinted);
        var memory = Sum([
            referenceBytesHeld,
            Mul(FloatBytes, features),
            Mul(FloatBytes, detectorSample),               // the detectors' fit copy, held while the layers train
            Mul(FloatBytes, parameters),                   // every trained autoencoder is kept for the scorer
            Mul(FloatBytes, training),                     // the working set of the autoencoders being fitted
            Mul(FloatBytes, tapBatch),                     // one extraction batch of raw (unpooled) taps
            Mul(3 * sizeof(int), records),                 // the split's shuffle, roles and index lists
            Mul(2 * FloatBytes, Mul(calibration, fingerprinted)), // calibration errors, and a sorted copy per layer
            Mul(2 * FloatBytes, Mul(Math.Min(options.BatchSize, options.SelfCheckRecords > 0 || options.StatisticResponseBar == 0 ? options.SelfCheckRecords : FingerprintOptions.DefaultSelfCheckRecords), recordLength)), // the self-check's (or the response shifts') sampled copies and one run
            Mul(3, scorer),
        ]);
        return new BuildEstimate(layers, records, referenceBytesHeld, parameters, scorer, memory);
    }

    /// <exception cref="FingerprintInputException">Over a limit; the message names the limit, its setting and what to change.</exception>
    public void Check(BuildLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        foreach (var layer in Layers)
        {
            if (layer.Features > limits.MaxFeaturesPerLayer)
                throw Over(nameof(BuildLimits.MaxFeaturesPerLayer), limits.MaxFeaturesPerLayer,
                    $"layer '{layer.Name}' ([{string.Join(",", layer.TapShape)}] per record) with pooling {layer.Pooling} gives {Count(layer.Features)} features",
                    "use a coarser pooling in fingerprint.json (\"pooling\": \"2x2\" or \"global\"; \"inputPooling\" for the model input) or tap other layers");
        }
        if (AutoencoderParameters > limits.MaxAutoencoderParameters)
            throw Over(nameof(BuildLimits.MaxAutoencoderParameters), limits.MaxAutoencoderParameters,
                $"the autoencoders of {Layers.Count(l => l.Fingerprinted)} layers would have {Count(AutoencoderParameters)} parameters",
                "use a coarser pooling, fewer layers, or a smaller autoencoder.hiddenSize in fingerprint.json");
        if (ScorerBytes > limits.MaxScorerBytes)
            throw Over(nameof(BuildLimits.MaxScorerBytes), limits.MaxScorerBytes,
                $"scorer.onnx would be about {Mib(ScorerBytes)}",
                "use a coarser pooling, fewer layers or a smaller autoencoder.hiddenSize in fingerprint.json");
        if (BuildMemoryBytes > limits.MaxBuildMemoryBytes)
            throw Over(nameof(BuildLimits.MaxBuildMemoryBytes), limits.MaxBuildMemoryBytes,
                $"the build would need about {Mib(BuildMemoryBytes)} of memory for {Count(Records)} reference records",
                "upload fewer reference records (a few thousand suffice) or use a coarser pooling in fingerprint.json");
    }

    private static FingerprintInputException Over(string limit, long value, string what, string change) =>
        new(FingerprintInput.Limit, string.Create(CultureInfo.InvariantCulture,
            $"Over the build limit {limit}: {what}, over {(limit.EndsWith("Bytes", StringComparison.Ordinal) ? Mib(value) : Count(value))} (service setting {BuildLimits.SettingFor(limit)}). To build, {change}."));

    /// <summary>Weights and biases of the autoencoder the options give for <paramref name="width"/> features.</summary>
    public static long AutoencoderParametersFor(long width, AutoencoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (width > int.MaxValue) return long.MaxValue;
        if (width < AutoencoderArchitecture.MinWidth) return 0;
        var a = AutoencoderArchitecture.For((int)width, options);
        long w = a.Width, h = a.Hidden, b = a.Bottleneck;
        // Auto counts as the MLP, the larger of its two kinds, when the training records are not known (BuildEstimate.For resolves it).
        var widths = options.Kind == AutoencoderKind.Pca || h == 0 ? new[] { w, b, w } : [w, h, b, h, w];
        long total = 0;
        for (var i = 1; i < widths.Length; i++) total = Add(total, Add(Mul(widths[i - 1], widths[i]), widths[i]));
        return total;
    }

    /// <summary>Floats PCA holds while fitting n records of d features: the centred records, the min(n, d)² covariance or
    /// Gram matrix, the eigen solver's basis (about 6 × (2k + 10) vectors of min(n, d)) and the d×k components.</summary>
    private static long PcaWorkingFloats(long n, long d, long k)
    {
        var side = Math.Min(n, d);
        return Sum([Mul(n, d), Mul(side, side), Mul(6 * (2 * k + 10), side), Mul(3 * d, k)]);
    }

    private static string Count(long value) => value == long.MaxValue ? "more than 9.2e18" : value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Mib(long bytes) => bytes == long.MaxValue ? "more than 8 EiB" : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:N0} MiB");

    // Saturating arithmetic: an absurd option must give "over the limit", never an overflow.
    private static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static long Mul(long a, long b) => a == 0 || b == 0 ? 0 : a > long.MaxValue / b ? long.MaxValue : a * b;

    private static long Sum(IEnumerable<long> values) => values.Aggregate(0L, Add);
}
