using System.Text.Json;
using NeuralFP.Core.Activations;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Detectors.State;
using NeuralFP.Core.Onnx;

namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// The other OOD detectors, fitted beside the fingerprint from the same forward pass (fit on the
/// autoencoders' training and early-stopping sample, calibrated on the same held-out records as the fingerprint, from the
/// fused scorer's outputs in the build's calibration pass).
/// Persisted in the artifact as <c>detectors.json</c>.
/// </summary>
public sealed class DetectorSet
{
    public const string FileName = "detectors.json";

    public DetectorSet(string? penultimateTensor, IReadOnlyList<CalibratedDetector> detectors)
    {
        ArgumentNullException.ThrowIfNull(detectors);
        PenultimateTensor = penultimateTensor;
        Detectors = detectors;
        // The combined detector scores through its members: connect it to the fitted ones of this set.
        foreach (var combined in detectors.Select(d => d.Detector).OfType<CombinedDetector>())
            combined.Bind(detectors.Select(d => d.Detector));
    }

    /// <summary>The input of the model's last linear layer, tapped for the feature-space detectors; null when the head is not linear.</summary>
    public string? PenultimateTensor { get; }

    public IReadOnlyList<CalibratedDetector> Detectors { get; }

    public IEnumerable<string> Names => Detectors.Select(d => d.Name);

    /// <exception cref="KeyNotFoundException">The detector was not fitted for this fingerprint; the message lists those that were.</exception>
    public CalibratedDetector this[string name] =>
        Detectors.FirstOrDefault(d => d.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException($"Detector '{name}' is not part of this fingerprint; available: fingerprint, {string.Join(", ", Names)}.");

    /// <summary>
    /// Fits the named detectors (calibrated later, once the fused scorer gives the held-out records' inputs: see
    /// <see cref="FittedDetectors.Calibrate"/>). Detectors that need the penultimate features are
    /// skipped (and reported) when the model's head is not linear, unless they were asked for by name.
    /// </summary>
    /// <param name="fitActivations">The records the detectors are fitted on (the autoencoders' training and early-stopping records); read only when a detector is named.</param>
    internal static FittedDetectors Fit(IReadOnlyList<string> names, bool namedExplicitly, LinearHead? head, Func<ActivationSet> fitActivations, int seed, IProgress<string>? progress, CancellationToken cancellationToken, string? logitsTensor = null, bool outputIsProbability = false)
    {
        var penultimate = head?.PenultimateTensor;
        var fitted = new List<(IOodDetector, double)>(names.Count);
        if (names.Count == 0) return new FittedDetectors(penultimate, logitsTensor, outputIsProbability, fitted);
        var fit = Inputs(fitActivations(), penultimate, logitsTensor, outputIsProbability);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (name == DetectorNames.Combined) continue; // fitted after the fingerprint's calibration (CombinedDetectorFit)
            if (head is null && NeedsPenultimate(name))
            {
                if (namedExplicitly)
                    throw new OnnxModelException($"Detector '{name}' needs the model's last linear layer (Gemm or MatMul+Add producing the logits), which this model does not have; leave it out of 'detectors'.");
                progress?.Report($"Detector {name} skipped: the model's head is not linear.");
                continue;
            }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var detector = OodDetectorCatalog.Create(name, head, seed);
            detector.Fit(fit, cancellationToken);
            fitted.Add((detector, clock.Elapsed.TotalSeconds));
        }
        return new FittedDetectors(penultimate, logitsTensor, outputIsProbability, fitted);
    }

    /// <summary>Detectors fitted on the autoencoders' records, waiting for the held-out records to set their thresholds.</summary>
    internal sealed record FittedDetectors(string? PenultimateTensor, string? LogitsTensor, bool OutputIsProbability, IReadOnlyList<(IOodDetector Detector, double FitSeconds)> Detectors)
    {
        /// <summary>Scores the held-out records and sets each detector's threshold for the target FPR.</summary>
        public DetectorSet Calibrate(ActivationSet? heldOutActivations, double targetFpr, IProgress<string>? progress, CancellationToken cancellationToken)
        {
            if (Detectors.Count == 0 || heldOutActivations is null)
                return new DetectorSet(PenultimateTensor, []) { LogitsTensor = LogitsTensor, OutputIsProbability = OutputIsProbability };
            var heldOut = Inputs(heldOutActivations, PenultimateTensor, LogitsTensor, OutputIsProbability);
            // Each detector scores the held-out records on its own (read-only inputs): side by side on every core.
            var detectors = new CalibratedDetector[Detectors.Count];
            var summaries = new DetectorSummary[Detectors.Count];
            var heldOutScores = new double[Detectors.Count][];
            try
            {
                Parallel.For(0, Detectors.Count, new ParallelOptions { CancellationToken = cancellationToken }, d =>
                {
                    var (fitted, fitSeconds) = Detectors[d];
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    var detector = CalibratedDetector.Calibrate(fitted, heldOut, targetFpr, out heldOutScores[d]);
                    detectors[d] = detector;
                    summaries[d] = DetectorSummary.Of(detector, fitSeconds + clock.Elapsed.TotalSeconds);
                });
            }
            catch (AggregateException e)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
            }
            foreach (var summary in summaries)
                progress?.Report($"Detector {summary.Name}: {summary.StateBytes:N0} bytes of state, {summary.Describe()}");
            return new DetectorSet(PenultimateTensor, detectors)
            {
                Summaries = summaries, LogitsTensor = LogitsTensor, OutputIsProbability = OutputIsProbability,
                HeldOutScores = detectors.Select((detector, d) => (detector.Name, Scores: heldOutScores[d])).ToDictionary(x => x.Name, x => x.Scores, StringComparer.Ordinal),
            };
        }
    }

    /// <summary>
    /// Right after calibration in a build: each detector's scores on the held-out records (in their order), which the
    /// combined detector is fitted on too (so its members are not scored twice). Not persisted; empty on a loaded set.
    /// </summary>
    internal IReadOnlyDictionary<string, double[]> HeldOutScores { get; private init; } = new Dictionary<string, double[]>();

    /// <summary>The pre-softmax tensor tapped for the logits when the model outputs probabilities (null otherwise).</summary>
    internal string? LogitsTensor { get; private init; }

    internal bool OutputIsProbability { get; private init; }

    /// <summary>What the detectors read from the reference's activations, with logits (not probabilities) as <see cref="DetectorInputs.Logits"/>.</summary>
    internal static DetectorInputs Inputs(ActivationSet activations, string? penultimate, string? logitsTensor, bool outputIsProbability) =>
        new(ModelHead.Logits(activations.Outputs, logitsTensor is null ? null : activations[logitsTensor], outputIsProbability),
            penultimate is null ? null : activations[penultimate],
            penultimate is null ? null : activations[penultimate]);

    /// <summary>Fit figures of each detector, recorded in the manifest (not persisted here).</summary>
    internal IReadOnlyList<DetectorSummary> Summaries { get; private init; } = [];

    private static bool NeedsPenultimate(string name) => name is not (DetectorNames.MaxSoftmax or DetectorNames.Energy or DetectorNames.Combined);

    /// <summary>This set with one more detector (its fit figures and its scores on the held-out records).</summary>
    internal DetectorSet With(CalibratedDetector detector, DetectorSummary summary, double[] heldOutScores) =>
        new(PenultimateTensor, [.. Detectors, detector])
        {
            Summaries = [.. Summaries, summary], LogitsTensor = LogitsTensor, OutputIsProbability = OutputIsProbability,
            HeldOutScores = new Dictionary<string, double[]>(HeldOutScores, StringComparer.Ordinal) { [detector.Name] = heldOutScores },
        };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(
        new DetectorSetState(DetectorState.CurrentFormatVersion, PenultimateTensor, Detectors.Select(d => d.Save()).ToArray()),
        DetectorJson.Options);

    /// <exception cref="InvalidDataException">The file cannot be read by this version.</exception>
    public static DetectorSet FromJson(ReadOnlySpan<byte> json)
    {
        DetectorSetState? state;
        try
        {
            state = JsonSerializer.Deserialize<DetectorSetState>(json, DetectorJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{FileName} cannot be read: {e.Message}", e);
        }
        if (state is null) throw new InvalidDataException($"{FileName} is empty.");
        if (state.FormatVersion > DetectorState.CurrentFormatVersion)
            throw new InvalidDataException($"{FileName} has format version {state.FormatVersion}; this build reads up to {DetectorState.CurrentFormatVersion}. Upgrade NeuralFP or rebuild the fingerprint.");
        return new DetectorSet(state.PenultimateTensor, state.Detectors.Select(CalibratedDetector.Load).ToArray());
    }

    private sealed record DetectorSetState(int FormatVersion, string? PenultimateTensor, CalibratedDetectorState[] Detectors);
}
