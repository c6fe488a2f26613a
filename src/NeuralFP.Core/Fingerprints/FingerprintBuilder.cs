using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Shifts;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// Builds a NeuralFP fingerprint: per-layer autoencoders over a model's activations and the
/// distribution of their reconstruction errors on held-out reference records.
/// </summary>
public static class FingerprintBuilder
{
    /// <exception cref="FingerprintInputException">The model, the reference or the options must change (or a build limit is exceeded); never worth a retry.</exception>
    public static Task<Fingerprint> BuildAsync(ReadOnlyMemory<byte> modelOnnx, FloatTensor reference, FingerprintOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
        => BuildAsync(modelOnnx, reference, options, new BuildLimits(), progress, cancellationToken);

    /// <inheritdoc cref="BuildAsync(ReadOnlyMemory{byte}, FloatTensor, FingerprintOptions, IProgress{string}?, CancellationToken)"/>
    /// <param name="limits">What the build may cost; checked from the options and the model's shapes before any work.</param>
    public static Task<Fingerprint> BuildAsync(ReadOnlyMemory<byte> modelOnnx, FloatTensor reference, FingerprintOptions options, BuildLimits limits, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(limits);
        // CPU-bound work: keep it off the caller's thread (HTTP/queue handlers await this).
        return Task.Run(() => Build(modelOnnx, reference, options, progress, cancellationToken, limits).Fingerprint, cancellationToken);
    }

    /// <inheritdoc cref="BuildAsync(ReadOnlyMemory{byte}, FloatTensor, FingerprintOptions, BuildLimits, IProgress{string}?, CancellationToken)"/>
    /// <param name="reference">
    /// The reference read batch by batch, twice: every record checked and hashed, with the autoencoders' capped sample
    /// (<see cref="FingerprintOptions.MaxTrainingRecords"/>) through the model; then the calibration records through the
    /// fused scorer, keeping their errors. One batch of records is held at a time; what is held in full is listed on
    /// <see cref="BuildEstimate"/>, and depends on the cap and the model, not on the reference's size.
    /// </param>
    public static Task<Fingerprint> BuildAsync(ReadOnlyMemory<byte> modelOnnx, RecordSource reference, FingerprintOptions options, BuildLimits limits, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(limits);
        return Task.Run(() => Build(modelOnnx, reference, options, progress, cancellationToken, limits).Fingerprint, cancellationToken);
    }

    /// <summary>The artifact with the in-memory autoencoders it was fused from (tests compare the two paths).</summary>
    internal sealed record Outcome(Fingerprint Fingerprint, IReadOnlyList<Autoencoder> Autoencoders)
    {
        /// <summary>[layer][record] errors of the calibration records as the fused graph computes them (benchmarks explore integrations on them).</summary>
        public IReadOnlyList<float[]> CalibrationErrors { get; init; } = [];

        /// <summary>The model's predicted class of each calibration record (null: no class outputs).</summary>
        public int[]? CalibrationClasses { get; init; }

        /// <summary>Per statistic (the integration's order) how far the self-check's response shifts move it; null unless asked for.</summary>
        public double[]? StatisticResponses { get; init; }

        /// <summary>Records whose activations the build held: the autoencoders' training and early-stopping sample.</summary>
        public int ExtractedRecords { get; init; }

        /// <summary>Where the build's time went, phase by phase.</summary>
        public IReadOnlyList<BuildPhase> Phases { get; init; } = [];
    }

    internal static Outcome Build(ReadOnlyMemory<byte> modelOnnx, FloatTensor reference, FingerprintOptions options, IProgress<string>? progress, CancellationToken cancellationToken, BuildLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return Build(modelOnnx, RecordSource.FromTensor(reference), options, progress, cancellationToken, limits, referenceBytesHeld: (long)reference.Data.Length * sizeof(float));
    }

    internal static Outcome Build(ReadOnlyMemory<byte> modelOnnx, RecordSource reference, FingerprintOptions options, IProgress<string>? progress, CancellationToken cancellationToken, BuildLimits? limits = null, long? referenceBytesHeld = null)
    {
        try
        {
            return BuildClassified(modelOnnx, reference, options, progress, cancellationToken, limits ?? new BuildLimits(), referenceBytesHeld);
        }
        // Errors Core raises about its inputs are the uploader's to fix: one type says so to every caller.
        catch (OnnxModelException e)
        {
            throw new FingerprintInputException(FingerprintInput.Model, $"model.onnx: {e.Message}", e);
        }
        catch (NpyFormatException e)
        {
            throw new FingerprintInputException(FingerprintInput.Reference, $"reference.npy: {e.Message}", e);
        }
        catch (InvalidRecordsException e)
        {
            throw new FingerprintInputException(FingerprintInput.Reference, $"reference.npy does not fit the model: {e.Message}", e);
        }
    }

    private static Outcome BuildClassified(ReadOnlyMemory<byte> modelOnnx, RecordSource source, FingerprintOptions options, IProgress<string>? progress, CancellationToken cancellationToken, BuildLimits limits, long? referenceBytesHeld)
    {
        ValidateOptions(options);
        var clock = Stopwatch.StartNew();
        var phases = new BuildPhases();
        var model = OnnxModel.Load(modelOnnx);
        RecordValidator.ValidateShape(source.Shape, model.InputShape);
        var reference = new ReferenceReader(source, model.InputShape);
        if (reference.Records < FingerprintOptions.MinReferenceRecords)
            throw new InvalidRecordsException($"The reference holds {reference.Records} records; at least {FingerprintOptions.MinReferenceRecords} are needed to calibrate thresholds (a few thousand are better).");
        if (options.UnseenFrom is int unseenFrom && reference.Records - unseenFrom < FingerprintOptions.MinUnseenRecords)
            throw new FingerprintInputException(FingerprintInput.Reference, $"reference.npy: unseenFrom is {unseenFrom:N0} but the reference holds {reference.Records:N0} records, so {Math.Max(0, reference.Records - unseenFrom):N0} are unseen; at least {FingerprintOptions.MinUnseenRecords} records the model did not train on must follow the training records to calibrate on. Append more (a validation split), or leave unseenFrom unset.");

        var layerNames = options.Layers is { Count: > 0 } chosen ? chosen : AutoLayers(model, options.IncludeInputLayer);
        var specs = layerNames.Select(name => new LayerSpec(name, PoolingFor(model, name, options))).ToArray();
        progress?.Report($"Model {model.Sha256[..12]}: {specs.Length} layers ({string.Join(", ", specs.Select(s => $"{s.Name}@{s.Pooling}"))}), {reference.Records} reference records.");

        var detectorNames = options.Detectors ?? DetectorNames.All;
        var head = detectorNames.Count == 0 ? null : ReadLinearHead(model, options.Detectors is not null, progress);
        // The detectors read the penultimate features (and, behind a Softmax or LogSoftmax output, the logits) from the
        // same forward pass; tap them if no fingerprint layer does.
        var outputIsProbability = ModelHead.EndsInSoftmax(model);
        var logitsTensor = detectorNames.Count > 0 ? ModelHead.PreSoftmaxTensor(model) : null;
        var extractionSpecs = specs.ToList();
        foreach (var extra in new[] { head?.PenultimateTensor, logitsTensor })
            if (extra is not null && !extractionSpecs.Any(s => s.Name == extra)) extractionSpecs.Add(new LayerSpec(extra, PoolingSpec.None));

        // A streamed reference holds one batch, and the held-out pass one more.
        var held = referenceBytesHeld ?? 2L * Math.Min(options.BatchSize, reference.Records) * source.RecordLength * sizeof(float);
        var detectorTaps = detectorNames.Count == 0 ? null : new[] { head?.PenultimateTensor, logitsTensor }.OfType<string>().ToArray();
        var estimate = Estimate(model, modelOnnx.Length, specs, extractionSpecs, reference.Records, held, options, detectorTaps);
        estimate.Check(limits);

        // One streamed pass: every record is checked and hashed; only the autoencoders' (capped) sample goes through the
        // model, and its activations are all the build holds (the held-out records stream through the fused scorer later).
        var split = ReferenceSplit.Create(reference.Records, options.HeldOutFraction, options.ValidationFraction, options.Seed, options.MaxTrainingRecords, options.UnseenFrom);
        if (options.UnseenFrom is int first)
            progress?.Report($"Calibration on the {reference.Records - first:N0} records the model did not train on (records {first:N0} on): {split.HeldOut.Length:N0} held out, {split.Validation.Length:N0} for early stopping; the autoencoders train on {split.Train.Length:N0} of the {first:N0} before them.");
        SampledActivations sampled;
        IReadOnlyList<int[]> tapShapes;
        phases.Mark("setup");
        using (var extractor = new ActivationExtractor(model, extractionSpecs))
        {
            tapShapes = extractor.TapShapes;
            sampled = new SampledActivations(extractionSpecs.Select(s => s.Name).ToArray(), extractor.FeatureCounts, split, reference.Records);
            var batches = new TimedSequence<FloatTensor>(reference.ReadAll(sampled.Records, options.BatchSize, cancellationToken));
            sampled.SetOutputShape(extractor.ExtractInto(batches.Items(), sampled.Records.Length, sampled, cancellationToken));
            phases.Mark("first pass: read, check, hash + sample's activations");
            phases.AddNested("of which reading, checking, hashing", batches.Seconds);
        }
        reference.RequireVariation();
        progress?.Report($"Activations of {sampled.Records.Length} records extracted in {clock.Elapsed.TotalSeconds:F1} s" +
            (split.LeftOut > 0 ? $" (the autoencoders train on a seeded sample of {split.Train.Length} records; {split.LeftOut} left out by maxTrainingRecords {options.MaxTrainingRecords})." : "."));

        // The autoencoders (one per layer) and the detectors' fits are independent: they run side by side, largest first,
        // each deterministic on its own, so the artifact does not depend on which thread ran what. The detectors read the
        // raw features, copied here before the layers release theirs.
        var detectorFitSet = detectorNames.Count == 0 ? null : sampled.Fit([.. detectorTaps ?? []]);
        // The model's predicted class of each training record: the latent distance's class means (null: no classes).
        var trainClasses = PredictedClasses(sampled.TrainOutputs);
        var layerFits = new LayerFit[specs.Length];
        DetectorSet.FittedDetectors? detectorsFit = null;
        var work = Enumerable.Range(0, specs.Length).OrderByDescending(l => sampled.FeatureCount(l)).Select(l => (Action)(() =>
            layerFits[l] = FitLayer(l, sampled, specs[l], tapShapes[l], options, trainClasses, specs[l].Name == model.InputName, cancellationToken))).ToList();
        work.Insert(Math.Min(1, work.Count), () => detectorsFit = DetectorSet.Fit(detectorNames, options.Detectors is not null, head, () => detectorFitSet!, options.Seed, progress, cancellationToken, logitsTensor, outputIsProbability));
        RunSideBySide(work, cancellationToken);
        var fittedDetectors = detectorsFit!; // every item ran, or RunSideBySide threw
        detectorFitSet = null;
        // The sample's features (tens of MiB on the large-object heap) are garbage now; the calibration pass is about to
        // load the scorer. One induced full collection here keeps the build's peak from stacking the two.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        foreach (var fit in layerFits)
            progress?.Report($"Layer {fit.Fused.TensorName}: {fit.Width} features, autoencoder {fit.Options.Kind.ToString().ToLowerInvariant()} {string.Join("-", [fit.Autoencoder.Width, .. fit.Autoencoder.Layers.Select(d => d.Outputs)])}, {fit.Autoencoder.Training?.Epochs ?? 0} epochs ({fit.Seconds:F1} s).");
        var fused = layerFits.Select(f => f.Fused).ToList();
        var validationErrors = layerFits.Select(f => f.ValidationErrors).ToList();
        var autoencoders = layerFits.Select(f => f.Autoencoder).ToList();
        var trained = layerFits.Select(f => (f.Standardizer, f.Options, f.TrainError, f.Width, f.Latent)).ToList();
        phases.Mark("autoencoders (standardise, train, latent fit) beside the detector fits");
        var (extras, detectorOutputs) = DetectorExtras(fittedDetectors);
        // The input's complexity is a statistic of the Gaussian integrations only (as the latent distances are).
        var complexity = options.InputComplexity && IntegrationKinds.IsDensity(options.Integration) && InputComplexity.Layout(model.InputShape).Length >= 2;
        // So is the input layer's largest regional error, where the input is fingerprinted whole and has regions.
        var regional = IntegrationKinds.IsDensity(options.Integration) && options.InputRegionalGrid > 0
            && InputRegionalError.Layout(model.InputShape, options.InputRegionalGrid) is not null
            && specs.Any(s => s.Name == model.InputName && s.Pooling.Kind == PoolingKind.None && !s.Pooling.L2Normalised);
        // And a table's marginal surprise, where the input layer's histograms were fitted and the graph can compute them.
        var marginals = layerFits.Select(f => f.Marginals).FirstOrDefault(m => m is not null);
        var columns = InputComplexity.Layout(model.InputShape).Length;
        if (options.InputMarginalBins > 0 && InputMarginals.Applies(model.InputShape) && !InputMarginals.Fits(columns, options.InputMarginalBins))
            progress?.Report($"A table of {columns:N0} columns at {options.InputMarginalBins} bins would hold more than {InputMarginals.MaxCells:N0} histogram cells, so the fingerprint leaves out its marginal surprise; fewer `inputMarginalBins` bring it back.");
        if (marginals is not null && !ScorerGraphBuilder.SupportsInputMarginals(model))
        {
            progress?.Report($"The model's opset ({GraphEditor.DefaultOpset(model.Proto)}) predates broadcasting Max and Min (opset 8), so the fingerprint leaves out the table's marginal surprise; export the model with opset 8 or later to have it.");
            marginals = null;
        }
        extras = extras with { InputComplexity = complexity, InputRegionalGrid = regional ? options.InputRegionalGrid : 0, InputMarginals = marginals };
        string[] inputStatistics = [.. complexity ? InputComplexity.Outputs : [], .. regional ? [InputRegionalError.Output] : Array.Empty<string>(), .. marginals is not null ? [InputMarginals.Output] : Array.Empty<string>()];
        var scorer = ScorerGraphBuilder.Build(model, fused, extras);
        phases.Mark("fused scorer graph (build, serialise)");
        // Thresholds are calibrated on the errors of the path that will score: the fused graph, the calibration records
        // (every record the autoencoders did not train on: held-out and early-stopping ones) streamed through it batch by
        // batch, one value per record and statistic kept. Its float summation order differs from the C# path by ~1e-5
        // relative, which a feature with a tiny spread can amplify; calibrating on the scoring path keeps FPR exact anyway.
        // The detectors are calibrated on the held-out records' outputs of the same runs.
        IReadOnlyList<(string, string)>? calibrationTaps = detectorNames.Count == 0 ? null :
            [.. new[] { (fittedDetectors.PenultimateTensor, detectorOutputs.Penultimate), (fittedDetectors.LogitsTensor, detectorOutputs.Logits) }
                .Where(t => t.Item1 is not null && t.Item2 is not null).Select(t => (t.Item1!, t.Item2!))];
        var calibrationBatches = new TimedSequence<FloatTensor>(reference.Read(split.Calibration, options.BatchSize, cancellationToken));
        string[] statisticOutputs = [.. StatisticOutputs(fused), .. inputStatistics];
        // The response shifts ride on the self-check's records (its default count when it is off).
        var selectsStatistics = options.StatisticResponseBar > 0 && IntegrationKinds.IsDensity(options.Integration);
        var selfCheck = SelfCheck.Plan(model.InputShape, split.Calibration, split.HeldOut, options.SelfCheckRecords > 0 ? options.SelfCheckRecords : FingerprintOptions.DefaultSelfCheckRecords,
            options.Seed, statisticOutputs.Length, checks: options.SelfCheckRecords > 0, responses: selectsStatistics || options.MeasureResponses);
        var (fusedErrors, calibrationArgmax, heldOutActivations) = CalibrationPass.Run(scorer, model, statisticOutputs, calibrationTaps, calibrationBatches.Items(), split, selfCheck, cancellationToken);
        phases.Mark("calibration pass through the fused scorer");
        phases.AddNested("of which reading", calibrationBatches.Seconds);
        var detectors = fittedDetectors.Calibrate(heldOutActivations, options.TargetFpr, progress, cancellationToken);
        phases.Mark("detector calibration");
        var layerErrors = fusedErrors.Take(specs.Length).ToArray();
        // The C# path's errors are known for the early-stopping records (their features were kept): compare there.
        var fusion = FusionCheck.Compare(validationErrors, AtRecords(layerErrors, split.Calibration, split.Validation), specs.Select(s => s.Name).ToArray());
        var layers = new List<FingerprintLayer>(specs.Length);
        for (var l = 0; l < specs.Length; l++)
        {
            var autoencoder = autoencoders[l];
            var latent = trained[l].Latent;
            layers.Add(new FingerprintLayer(
                specs[l].Name,
                model.Layers.FirstOrDefault(c => c.Name == specs[l].Name)?.OpType ?? "?",
                tapShapes[l],
                specs[l].Pooling.ToString(),
                trained[l].Width,
                fused[l].ErrorOutputName,
                trained[l].Options.Kind.ToString().ToLowerInvariant(),
                [autoencoder.Width, .. autoencoder.Layers.Select(d => d.Outputs)],
                autoencoder.Training?.Epochs ?? 0,
                autoencoder.Training?.StoppedEarly ?? false,
                trained[l].TrainError,
                Mean(validationErrors[l]),
                Median(layerErrors[l]),
                trained[l].Standardizer.Mean,
                trained[l].Standardizer.Scale) { LatentOutput = fused[l].LatentOutputName, LatentMeans = latent?.Means, LatentWhitening = latent?.Whitening });
        }
        var rule = OneOutRule.Calibrate(specs.Select(s => s.Name).ToArray(), layerErrors, options.TargetFpr, options.TwoSided);
        string[] latentNames = [.. fused.Where(f => f.Latent is not null).Select(f => $"{f.TensorName} (latent distance)"), .. complexity ? InputComplexity.Names : [], .. regional ? [InputRegionalError.Name] : Array.Empty<string>(),
            .. marginals is not null ? [InputMarginals.Name] : Array.Empty<string>()];
        // The model's predicted class of each calibration record (null when its output is not a class vector).
        var calibrationClasses = trainClasses is null ? null : calibrationArgmax;
        var integrationKind = options.Integration;
        if (IntegrationKinds.ReadsClasses(integrationKind) && calibrationClasses is null)
        {
            var without = IntegrationKinds.WithoutClasses(integrationKind);
            progress?.Report($"The model has no class outputs, so the {without} integration ({(without == IntegrationKinds.Gaussian ? "one mean" : "no classes")}) replaces {integrationKind}.");
            integrationKind = without;
        }
        var responses = selfCheck?.Responses(fusedErrors);
        var leaveOut = selectsStatistics && responses is not null ? StatisticSelection.LeaveOut(responses, specs.Length, options.StatisticResponseBar, selfCheck!.ResponseShifts) : null;
        var integration = integrationKind == IntegrationKinds.OneOut ? null : LayerIntegration.Calibrate(integrationKind, rule, fusedErrors, options.TargetFpr, latentNames, calibrationClasses,
            foldErrorsAtMedian: options.FoldErrorsAtMedian, leaveOut: leaveOut, unfoldedLayers: options.FoldInputErrorAtMedian ? null : [model.InputName]);
        // Which statistics are left (constant ones and those the response shifts barely move are not) is known once fitted.
        if (integration is not null && IntegrationKinds.ForStatistics(integration.Kind, integration.Included.Count(i => i)) is var reading && reading != integration.Kind)
        {
            var layer = Array.IndexOf(integration.Included, true);
            progress?.Report($"One statistic is left for the {integration.Kind} integration, {rule.Layers[layer]}'s error, so the fingerprint reads its p-value ({reading}) instead of a one-dimensional density.");
            integration = LayerIntegration.Calibrate(reading, rule, fusedErrors, options.TargetFpr, latentNames, leaveOut: leaveOut);
        }
        var realisedFpr = integration?.RealisedFpr ?? rule.RealisedFpr;
        // The one-out rule's thresholds are per layer, so its n and k are the held-out records and those it flags.
        var newDataFpr = integration?.NewDataFprInterval()
            ?? Metrics.FprInterval.Of(split.Calibration.Length, (int)Math.Round(rule.RealisedFpr * split.Calibration.Length));
        if (integration is { Excluded.Count: > 0 })
            progress?.Report($"Left out of the {integration.Kind} score: {string.Join("; ", integration.Excluded.Select(e => $"{e.Layer} ({e.Reason})"))}.");
        phases.Mark("fusion check, rule, integration");
        detectors = CombinedDetectorFit.AddIfRequested(detectors, detectorNames, options.CombinedRule, options.CombinedMembers, options.CombinedFingerprintShare, rule, integration, fusedErrors, calibrationClasses, () => heldOutActivations!, split, options.TargetFpr, progress);
        phases.Mark("combined detector");
        // Every statistic by the name the integration knows it: each layer's error by the layer, then the latent names.
        var selfCheckSummary = options.SelfCheckRecords == 0 ? null : selfCheck?.Summarise(integration, rule, fusedErrors, calibrationTaps is null ? null : (detectors, [.. calibrationTaps.Select(t => t.Item1)]),
            [.. rule.Layers, .. latentNames]);
        if (selfCheckSummary is not null) ReportSelfCheck(selfCheckSummary, options.TargetFpr, progress);
        var manifest = new FingerprintManifest
        {
            ModelSha256 = model.Sha256,
            ReferenceSha256 = reference.Sha256,
            InputName = model.InputName,
            InputShape = model.InputShape,
            ModelOutputs = model.OutputNames,
            OutputIsProbability = outputIsProbability,
            Layers = layers,
            Rule = rule,
            Integration = integration,
            InputComplexityOutputs = complexity && integration is not null ? InputComplexity.Outputs : null,
            InputRegionalErrorOutput = regional && integration is not null ? InputRegionalError.Output : null,
            InputMarginalsOutput = marginals is not null && integration is not null ? InputMarginals.Output : null,
            Calibration = new CalibrationSummary(reference.Records, split.Train.Length, split.Validation.Length, split.Calibration.Length, options.TargetFpr, realisedFpr, rule.LayerAlpha, options.TwoSided, newDataFpr, options.UnseenFrom),
            Options = options,
            Fusion = fusion,
            DetectorOutputs = detectorOutputs,
            Detectors = detectors.Summaries,
            CreatedAt = DateTimeOffset.UtcNow,
            BuildSeconds = clock.Elapsed.TotalSeconds,
            SelfCheck = selfCheckSummary,
        };
        var fingerprint = new Fingerprint(manifest, scorer, detectors);
        phases.Mark("self-check, manifest");
        progress?.Report($"Phases: {phases}.");
        progress?.Report($"Fingerprint built in {clock.Elapsed.TotalSeconds:F1} s; realised FPR on held-out records {realisedFpr:P2} (target {options.TargetFpr:P2}, {integration?.Kind ?? IntegrationKinds.OneOut} rule); " +
            $"on new in-distribution data {newDataFpr.Low:P1}–{newDataFpr.High:P1} with 90% probability ({newDataFpr.CalibrationRecords:N0} held-out records).");
        if (newDataFpr.High - newDataFpr.Low > 0.02)
            progress?.Report($"The calibration is loose: a threshold set on {newDataFpr.CalibrationRecords:N0} held-out records realises {newDataFpr.Low:P1}–{newDataFpr.High:P1} on new data. " +
                $"About {Metrics.FprInterval.RecordsFor(options.TargetFpr, 0.01):N0} held-out records ({(options.UnseenFrom is null ? "a reference about twice that size" : "as many unseen records after the training records")}) bring it within ±1 pp of the target.");
        return new Outcome(fingerprint, autoencoders) { CalibrationErrors = fusedErrors, CalibrationClasses = calibrationClasses, StatisticResponses = responses, ExtractedRecords = sampled.Records.Length, Phases = phases.Phases };
    }

    private static void ReportSelfCheck(SelfCheckSummary summary, double targetFpr, IProgress<string>? progress)
    {
        progress?.Report($"The fingerprint's {summary}.");
        foreach (var weak in summary.Weak())
            progress?.Report($"The fingerprint sees {weak.Shift} weakly on this model: self-check AUROC {weak.Auroc:F3} (< {SelfCheckSummary.WeakAuroc}), {weak.Flagged:P0} of the shifted records flagged " +
                $"against {targetFpr:P0} of in-distribution ones ({weak.Description}). " +
                (weak.BetterDetector() is { } better
                    ? $"The {better.Detector} detector fitted beside it sees it at AUROC {better.Auroc:F3} ({better.Flagged:P0} flagged): ask it with ?detector={better.Detector}, or check the layers the fingerprint taps (`nfp layers`)."
                    : "Check the layers it taps (`nfp layers`), or fit other detectors beside it (`detectors`), before trusting its verdicts on such data."));
        foreach (var dilution in summary.Shifts.Select(s => s.Dilution()).OfType<string>())
            progress?.Report($"{dilution}. Fewer layers (`layers` in the options, `nfp layers` to list them) may see such data better; check on data like yours.");
    }

    /// <summary>
    /// Layers whose autoencoders train at once (each product inside also spreads over every core). Two keeps a 2-core
    /// machine busy while the widest layer trains, and bounds the memory <see cref="BuildEstimate"/> counts.
    /// </summary>
    internal const int LayersSideBySide = 2;

    /// <summary>One layer's autoencoder, its standardisation, latent statistic and errors, as fused into the scorer.</summary>
    private sealed record LayerFit(FusedLayer Fused, Autoencoder Autoencoder, Standardizer Standardizer, AutoencoderOptions Options, double TrainError, int Width, LatentDistance? Latent, float[] ValidationErrors, double Seconds)
    {
        /// <summary>The table's column histograms, fitted on the input layer's raw training records (<see cref="FingerprintOptions.InputMarginalBins"/>).</summary>
        public InputMarginals? Marginals { get; init; }
    }

    /// <summary>Standardises layer <paramref name="l"/>'s features (releasing the raw ones), trains its autoencoder and fits its latent statistic.</summary>
    private static LayerFit FitLayer(int l, SampledActivations sampled, LayerSpec spec, int[] tapShape, FingerprintOptions options, int[]? trainClasses, bool isModelInput, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var clock = Stopwatch.StartNew();
        var train = sampled.Train(l);
        var validation = sampled.Validation(l);
        var standardizer = Standardizer.Fit(train, options.ScaleFloor, medianReference: options.InputScaleFloorByMedian && isModelInput);
        // A table's column histograms read the raw values, before they are standardised in place.
        var marginals = isModelInput && options.InputMarginalBins > 0 && IntegrationKinds.IsDensity(options.Integration)
            && spec.Pooling.Kind == PoolingKind.None && !spec.Pooling.L2Normalised && InputMarginals.Applies(tapShape)
            && InputMarginals.Fits(train.RecordLength, options.InputMarginalBins)
            ? InputMarginals.Fit(train, options.InputMarginalBins) : null;
        // In place: the sample's raw features of this layer are released here (the detectors hold their own copy), so
        // the build never holds a layer twice, even with layers training side by side.
        standardizer.Transform(train, train.Data);
        standardizer.Transform(validation, validation.Data);
        sampled.Release(l);
        var aeOptions = options.AutoencoderFor(isModelInput, train.Records) with { Seed = options.Seed + l };
        var autoencoder = AutoencoderTrainer.Fit(train, validation, aeOptions, cancellationToken);
        double? trainError = null;
        if (options.ErrorWeightFloor > 0)
        {
            (var root, trainError) = ErrorWeighting.RootWeights(autoencoder, train, options.ErrorWeightFloor);
            (standardizer, autoencoder) = ErrorWeighting.Fold(standardizer, autoencoder, root);
            ErrorWeighting.Rescale(train, root);
            ErrorWeighting.Rescale(validation, root);
        }
        // The latent code's distribution is fitted on the records the autoencoder trained on, so the held-out
        // records calibrate it as they calibrate the errors.
        var latent = options.LatentStatistic && IntegrationKinds.IsDensity(options.Integration) && autoencoder.Layers.Count % 2 == 0
            ? options.LatentNeighbours > 0
                ? LatentDistance.FitNeighbours(LatentDistance.Encode(autoencoder.Layers, train), options.LatentNeighbours, options.Seed + l)
                : LatentDistance.Fit(LatentDistance.Encode(autoencoder.Layers, train), options.LatentPerClass ? trainClasses : null)
            : null;
        var fused = new FusedLayer(spec.Name, tapShape, spec.Pooling, standardizer.Mean, standardizer.Scale, autoencoder.Layers, $"nfp_error_{l}") { Latent = latent, LatentOutputName = latent is null ? null : $"nfp_latent_{l}" };
        return new LayerFit(fused, autoencoder, standardizer, aeOptions, trainError ?? Mean(autoencoder.Errors(train)), train.RecordLength, latent, autoencoder.Errors(validation), clock.Elapsed.TotalSeconds) { Marginals = marginals };
    }

    /// <summary>
    /// Runs independent pieces of work <see cref="LayersSideBySide"/> at a time, taken one by one in the given order
    /// (largest first balances best); the first failure is rethrown as itself, not wrapped.
    /// </summary>
    private static void RunSideBySide(IReadOnlyList<Action> work, CancellationToken cancellationToken)
    {
        try
        {
            Parallel.ForEach(Partitioner.Create(work, EnumerablePartitionerOptions.NoBuffering),
                new ParallelOptions { MaxDegreeOfParallelism = LayersSideBySide, CancellationToken = cancellationToken }, item => item());
        }
        catch (AggregateException e)
        {
            var first = e.Flatten().InnerExceptions.OrderBy(x => x is OperationCanceledException ? 1 : 0).First();
            ExceptionDispatchInfo.Capture(first).Throw();
        }
    }

    /// <summary>The automatic layer choice, with or without the model input (kept when it is the only candidate).</summary>
    private static IReadOnlyList<string> AutoLayers(OnnxModel model, bool includeInput)
    {
        var auto = model.AutoLayers();
        if (includeInput) return auto;
        var hidden = auto.Where(name => name != model.InputName).ToArray();
        return hidden.Length > 0 ? hidden : auto;
    }

    private static void ValidateOptions(FingerprintOptions options)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FingerprintInputException(FingerprintInput.Options, $"fingerprint.json: {e.Message}", e);
        }
    }

    /// <summary>The build's cost from the model's shapes, before any data is touched (see <see cref="BuildEstimate"/>).</summary>
    private static BuildEstimate Estimate(OnnxModel model, long modelBytes, LayerSpec[] specs, IReadOnlyList<LayerSpec> extractionSpecs, int records, long referenceBytesHeld, FingerprintOptions options, IReadOnlyCollection<string>? detectorTaps)
    {
        TapRewriter.RequireTappable(model, [.. extractionSpecs.Select(s => s.Name)]);
        var taps = extractionSpecs.Select(s => (s.Name, model.Layer(s.Name).Shape!, s.Pooling, specs.Contains(s))).ToArray();
        return BuildEstimate.For(modelBytes, taps, records, referenceBytesHeld, options, detectorTaps, model.InputName, model.InputShape.Aggregate(1L, (a, d) => a * Math.Max(d, 1)));
    }

    /// <summary>Per layer, the values of <paramref name="errors"/> (indexed like <paramref name="rows"/>, sorted) at the records <paramref name="at"/>.</summary>
    private static float[][] AtRecords(float[][] errors, int[] rows, int[] at)
    {
        var positions = at.Select(r => Array.BinarySearch(rows, r)).ToArray();
        return [.. errors.Select(e => positions.Select(p => e[p]).ToArray())];
    }

    /// <summary>A layer's pooling under the options: sequences over time, the input and maps as configured.</summary>
    internal static PoolingSpec PoolingFor(OnnxModel model, string layer, FingerprintOptions options)
    {
        var candidate = model.Layers.FirstOrDefault(c => c.Name == layer);
        var pooling = candidate is { Role: LayerRole.Sequence, Shape: [var steps, _] }
            ? SequencePooling(FingerprintOptions.ParsePooling(options.SequencePooling, nameof(options.SequencePooling)), steps)
            : FingerprintOptions.ParsePooling(layer == model.InputName ? options.InputPooling : options.Pooling, layer == model.InputName ? nameof(options.InputPooling) : nameof(options.Pooling));
        var role = layer == model.InputName ? LayerRole.Input : candidate?.Role ?? LayerRole.Other;
        var l2 = options.L2Normalise switch
        {
            L2Layers.Penultimate => role == LayerRole.Penultimate,
            L2Layers.Hidden => role is not (LayerRole.Input or LayerRole.Logits),
            _ => false,
        };
        return l2 ? pooling with { L2Normalised = true } : pooling;
    }

    // A sequence shorter than the segment count gets one segment per step.
    private static PoolingSpec SequencePooling(PoolingSpec pooling, int steps) =>
        pooling.OverTime && pooling.Segments > steps ? PoolingSpec.TimeSegments(steps) : pooling;

    private static LinearHead? ReadLinearHead(OnnxModel model, bool namedExplicitly, IProgress<string>? progress)
    {
        try
        {
            return LinearHeadReader.Read(model);
        }
        catch (OnnxModelException e) when (!namedExplicitly)
        {
            progress?.Report($"Feature-space detectors skipped: {e.Message}");
            return null;
        }
    }

    /// <summary>The scorer outputs the fitted detectors read: penultimate features, and DICE's masked head computed in-graph.</summary>
    private static (ScorerExtras Extras, DetectorOutputs Outputs) DetectorExtras(DetectorSet.FittedDetectors detectors)
    {
        const string PenultimateOutput = "nfp_penultimate";
        const string DiceOutput = "nfp_dice_logits";
        const string LogitsOutput = "nfp_logits";
        if (detectors.Detectors.Count == 0) return (ScorerExtras.None, new DetectorOutputs(null, null));
        List<(string, string)> features = detectors.LogitsTensor is { } logits ? [(logits, LogitsOutput)] : [];
        var logitsOutput = detectors.LogitsTensor is null ? null : LogitsOutput;
        if (detectors.PenultimateTensor is not { } penultimate)
            return (new ScorerExtras(features, []), new DetectorOutputs(null, null) { Logits = logitsOutput });
        var heads = new List<FusedDenseHead>();
        if (detectors.Detectors.Select(d => d.Detector).OfType<DiceDetector>().FirstOrDefault() is { } dice)
        {
            var bias = dice.Bias.ToArray();
            var weight = dice.MaskedWeight.ToArray();
            heads.Add(new FusedDenseHead(penultimate, weight.Length / bias.Length, bias.Length, weight, bias, DiceOutput));
        }
        return (new ScorerExtras([(penultimate, PenultimateOutput), .. features], heads), new DetectorOutputs(PenultimateOutput, heads.Count > 0 ? DiceOutput : null) { Logits = logitsOutput });
    }

    /// <summary>Argmax of the model's first output per record; null when it is not a class vector (one value per record).</summary>
    private static int[]? PredictedClasses(FloatTensor outputs)
    {
        if (outputs.RecordLength < 2) return null;
        var classes = new int[outputs.Records];
        for (var i = 0; i < classes.Length; i++) classes[i] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(outputs.Record(i));
        return classes;
    }

    /// <summary>The scorer's per-record statistic outputs: every layer's error, then the latent distances of the layers that have one.</summary>
    internal static string[] StatisticOutputs(IReadOnlyList<FusedLayer> fused) =>
        [.. fused.Select(f => f.ErrorOutputName), .. fused.Where(f => f.LatentOutputName is not null).Select(f => f.LatentOutputName!)];

    private static double Mean(float[] values) => values.Length == 0 ? double.NaN : values.Average(v => (double)v);

    private static double Median(float[] values)
    {
        if (values.Length == 0) return double.NaN;
        var sorted = (float[])values.Clone();
        Array.Sort(sorted);
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
    }
}
