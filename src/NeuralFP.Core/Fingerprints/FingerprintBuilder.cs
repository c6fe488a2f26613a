using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// Builds a NeuralFP fingerprint: per-layer autoencoders over a model's activations and the
/// distribution of their reconstruction errors on held-out reference records.
/// </summary>
public static class FingerprintBuilder
{
    /// <exception cref="OnnxModelException">The model cannot be fingerprinted.</exception>
    /// <exception cref="InvalidRecordsException">The reference does not fit the model's input.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static Task<Fingerprint> BuildAsync(ReadOnlyMemory<byte> modelOnnx, FloatTensor reference, FingerprintOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(options);
        // CPU-bound work: keep it off the caller's thread (HTTP/queue handlers await this).
        return Task.Run(() => Build(modelOnnx, reference, options, progress, cancellationToken).Fingerprint, cancellationToken);
    }

    /// <summary>The artifact with the in-memory autoencoders it was fused from (tests compare the two paths).</summary>
    internal sealed record Outcome(Fingerprint Fingerprint, IReadOnlyList<Autoencoder> Autoencoders);

    internal static Outcome Build(ReadOnlyMemory<byte> modelOnnx, FloatTensor reference, FingerprintOptions options, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var model = OnnxModel.Load(modelOnnx);
        reference = RecordValidator.Validate(reference, model.InputShape);
        if (reference.Records < FingerprintOptions.MinReferenceRecords)
            throw new InvalidRecordsException($"The reference holds {reference.Records} records; at least {FingerprintOptions.MinReferenceRecords} are needed to calibrate thresholds (a few thousand are better).");

        var layerNames = options.Layers is { Count: > 0 } chosen ? chosen : model.AutoLayers();
        var specs = layerNames.Select(name => new LayerSpec(name, PoolingFor(model, name, options))).ToArray();
        progress?.Report($"Model {model.Sha256[..12]}: {specs.Length} layers ({string.Join(", ", specs.Select(s => $"{s.Name}@{s.Pooling}"))}), {reference.Records} reference records.");

        ActivationSet activations;
        IReadOnlyList<int[]> tapShapes;
        using (var extractor = new ActivationExtractor(model, specs))
        {
            tapShapes = extractor.TapShapes;
            activations = extractor.Extract(reference, options.BatchSize, cancellationToken);
        }
        progress?.Report($"Activations extracted in {clock.Elapsed.TotalSeconds:F1} s.");

        var split = ReferenceSplit.Create(reference.Records, options.HeldOutFraction, options.ValidationFraction, options.Seed);
        var layers = new List<FingerprintLayer>(specs.Length);
        var fused = new List<FusedLayer>(specs.Length);
        var heldOutErrors = new List<float[]>(specs.Length);
        var autoencoders = new List<Autoencoder>(specs.Length);
        for (var l = 0; l < specs.Length; l++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var layerClock = Stopwatch.StartNew();
            var features = activations.Features[l];
            var standardizer = Standardizer.Fit(features.Gather(split.Train));
            var train = standardizer.Transform(features.Gather(split.Train));
            var validation = standardizer.Transform(features.Gather(split.Validation));
            var heldOut = standardizer.Transform(features.Gather(split.HeldOut));
            var aeOptions = options.Autoencoder with { Seed = options.Seed + l };
            var autoencoder = AutoencoderTrainer.Fit(train, validation, aeOptions, cancellationToken);
            var errors = autoencoder.Errors(heldOut);
            heldOutErrors.Add(errors);
            autoencoders.Add(autoencoder);

            var errorOutput = $"nfp_error_{l}";
            fused.Add(new FusedLayer(specs[l].Name, tapShapes[l], specs[l].Pooling, standardizer.Mean, standardizer.Scale, autoencoder.Layers, errorOutput));
            layers.Add(new FingerprintLayer(
                specs[l].Name,
                model.Layers.FirstOrDefault(c => c.Name == specs[l].Name)?.OpType ?? "?",
                tapShapes[l],
                specs[l].Pooling.ToString(),
                features.RecordLength,
                errorOutput,
                aeOptions.Kind.ToString().ToLowerInvariant(),
                [autoencoder.Width, .. autoencoder.Layers.Select(d => d.Outputs)],
                autoencoder.Training?.Epochs ?? 0,
                autoencoder.Training?.StoppedEarly ?? false,
                Mean(autoencoder.Errors(train)),
                Mean(autoencoder.Errors(validation)),
                Median(errors),
                standardizer.Mean,
                standardizer.Scale));
            progress?.Report($"Layer {specs[l].Name}: {features.RecordLength} features, autoencoder {string.Join("-", layers[^1].AutoencoderWidths)}, {layers[^1].Epochs} epochs, held-out median error {layers[^1].HeldOutMedianError:G4} ({layerClock.Elapsed.TotalSeconds:F1} s).");
        }

        var rule = OneOutRule.Calibrate(specs.Select(s => s.Name).ToArray(), heldOutErrors, options.TargetFpr, options.TwoSided);
        var scorer = ScorerGraphBuilder.Build(model, fused);
        var manifest = new FingerprintManifest
        {
            ModelSha256 = model.Sha256,
            ReferenceSha256 = HashRecords(reference),
            InputName = model.InputName,
            InputShape = model.InputShape,
            ModelOutputs = model.OutputNames,
            OutputIsProbability = ModelHead.EndsInSoftmax(model),
            Layers = layers,
            Rule = rule,
            Calibration = new CalibrationSummary(reference.Records, split.Train.Length, split.Validation.Length, split.HeldOut.Length, options.TargetFpr, rule.RealisedFpr, rule.LayerAlpha, options.TwoSided),
            Options = options,
            CreatedAt = DateTimeOffset.UtcNow,
            BuildSeconds = clock.Elapsed.TotalSeconds,
        };
        var fingerprint = new Fingerprint(manifest, scorer);
        VerifyFusion(fingerprint, reference.Gather(split.HeldOut.AsSpan(0, Math.Min(64, split.HeldOut.Length))), heldOutErrors);
        progress?.Report($"Fingerprint built in {clock.Elapsed.TotalSeconds:F1} s; realised FPR on held-out records {rule.RealisedFpr:P2} (target {options.TargetFpr:P2}).");
        return new Outcome(fingerprint, autoencoders);
    }

    private static PoolingSpec PoolingFor(OnnxModel model, string layer, FingerprintOptions options) =>
        FingerprintOptions.ParsePooling(layer == model.InputName ? options.InputPooling : options.Pooling, layer == model.InputName ? nameof(options.InputPooling) : nameof(options.Pooling));

    /// <summary>
    /// The fused graph must reproduce the errors the thresholds were calibrated on; a mismatch
    /// would silently shift every verdict, so a build that fails this check is not published.
    /// </summary>
    private static void VerifyFusion(Fingerprint fingerprint, FloatTensor sample, IReadOnlyList<float[]> heldOutErrors)
    {
        using var scorer = new FingerprintScorer(fingerprint);
        var layers = heldOutErrors.Count;
        var fusedErrors = new float[sample.Records * layers];
        scorer.ComputeErrors(sample, fusedErrors, predictedClasses: default, maxProbabilities: default);
        for (var r = 0; r < sample.Records; r++)
        for (var l = 0; l < layers; l++)
        {
            double expected = heldOutErrors[l][r], actual = fusedErrors[r * layers + l];
            if (Math.Abs(actual - expected) > 1e-3 * Math.Max(1e-3, Math.Abs(expected)))
                throw new InvalidOperationException($"The fused scorer graph disagrees with the autoencoder at layer {fingerprint.Manifest.Layers[l].Name} (record {r}: {actual:G6} vs {expected:G6}). This is a bug in NeuralFP; please report it with the model.");
        }
    }

    private static double Mean(float[] values) => values.Length == 0 ? double.NaN : values.Average(v => (double)v);

    private static double Median(float[] values)
    {
        if (values.Length == 0) return double.NaN;
        var sorted = (float[])values.Clone();
        Array.Sort(sorted);
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
    }

    private static string HashRecords(FloatTensor records) =>
        Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(records.Data.AsSpan())));
}
