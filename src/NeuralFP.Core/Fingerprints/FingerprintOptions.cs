using System.Text.Json;
using System.Text.Json.Serialization;
using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;

namespace NeuralFP.Core.Fingerprints;

/// <summary>Options for building a fingerprint; read from <c>fingerprint.json</c> next to an uploaded model.</summary>
public sealed record FingerprintOptions
{
    /// <summary>Tensor names to tap, or null/empty for the automatic choice (<see cref="Onnx.OnnxModel.AutoLayers"/>).</summary>
    public IReadOnlyList<string>? Layers { get; init; }

    /// <summary>Pooling for hidden conv maps: "global", "2x2", "4x4", "none". 2x2 won the ablation (README).</summary>
    public string Pooling { get; init; } = "2x2";

    /// <summary>
    /// Whether the automatic layer choice taps the model input itself. On by default: with the Gaussian integration
    /// the input layer raised both the minimum and the mean AUROC over the panel's validation sets (README, "Detection").
    /// </summary>
    public bool IncludeInputLayer { get; init; } = true;

    /// <summary>Pooling for the model input when it is tapped as a layer (image inputs keep their pixels by default).</summary>
    public string InputPooling { get; init; } = "none";

    /// <summary>
    /// Pooling over time of sequence layers [T, H] (a recurrent layer's hidden states, a transformer block's token
    /// states): "time" (the mean over all steps) or "timeS", the means over S consecutive segments (e.g. "time4").
    /// Fingerprints built before this option store "time" on their layers and keep it.
    /// </summary>
    public string SequencePooling { get; init; } = DefaultSequencePooling;

    /// <summary>Default of <see cref="SequencePooling"/>, chosen on the panel's validation sets (README, "Detection").</summary>
    public const string DefaultSequencePooling = "time4";

    /// <summary>
    /// Which layers' pooled features are L2-normalised before standardisation (their direction only): "none",
    /// "penultimate" (the features the classifier head reads) or "hidden" (every tapped layer but the input and the
    /// logits). Chosen on the panel's validation sets (README, "Detection").
    /// </summary>
    public string L2Normalise { get; init; } = L2Layers.None;

    public AutoencoderOptions Autoencoder { get; init; } = new();

    /// <summary>False-positive rate of the whole one-out rule on held-out in-distribution data.</summary>
    public double TargetFpr { get; init; } = 0.05;

    /// <summary>
    /// Also flag errors that are suspiciously small (below μ_l), not just too large — NeuralFP's
    /// original rule. Off by default: one-sided thresholds did better on every OOD set in the ablation (README).
    /// </summary>
    public bool TwoSided { get; init; }

    /// <summary>
    /// Other OOD detectors to fit beside the fingerprint (see <see cref="Detectors.DetectorNames"/>);
    /// null for all of them, empty for none. k-NN keeps a subsample of reference features.
    /// </summary>
    public IReadOnlyList<string>? Detectors { get; init; }

    /// <summary>
    /// How per-layer evidence becomes one verdict: "fisher" (Σ −ln p_l, thresholded on held-out errors),
    /// "gaussian" (a density over the per-layer log errors and latent distances), "gaussian-per-class" (the same density
    /// with one mean per predicted class), "gaussian-class-covariance" (one mean and one covariance per predicted class),
    /// "neighbours-per-class" (the k-NN density over the whitened log statistics of the calibration records of the
    /// predicted class), "neighbours" (the same over all of them), "gaussian-diagonal" or "one-out" (NeuralFP's ∃l rule).
    /// A kind that reads the predicted class gets its form without classes on a model without class outputs, with a build
    /// note. The default was chosen on the model panel's validation OOD sets (README, "Detection", item 12).
    /// </summary>
    public string Integration { get; init; } = Verdicts.IntegrationKinds.NeighboursPerClass;

    /// <summary>
    /// How the combined detector joins its fixed members (fingerprint, k-NN, energy, Mahalanobis): "weighted-min-p" (the
    /// default: the most alarmed member, weighted Bonferroni with <see cref="CombinedFingerprintShare"/>),
    /// "fingerprint-or-density" (the more alarmed of the fingerprint and a Gaussian density over its statistics and the
    /// partners' scores), "fisher" or
    /// "min-p" over their conformal p-values, "gaussian[-per-class]" or "neighbours[-per-class]" (one density, Gaussian or
    /// k-NN, over the fingerprint's statistics and the partners' scores), … Fitted on held-out in-distribution records
    /// only; the default was chosen on the panel's validation sets (README, "Detection").
    /// </summary>
    public string CombinedRule { get; init; } = NeuralFP.Core.Detectors.CombinedDetector.DefaultRule;

    /// <summary>
    /// The combined detector's partners beside the fingerprint (detectors of the same set; a partner the model cannot
    /// support is left out). Default: k-NN and Mahalanobis on the penultimate features, energy on the logits.
    /// </summary>
    public IReadOnlyList<string> CombinedMembers { get; init; } = NeuralFP.Core.Detectors.CombinedDetector.DefaultPartners;

    /// <summary>
    /// Under the combined detector's "fingerprint-or-density" and "weighted-min-p" rules, the fingerprint's share of the
    /// false-positive budget (the density, or the partners equally, hold the rest): the others must be that much more alarmed
    /// than the fingerprint to set the verdict.
    /// </summary>
    public double CombinedFingerprintShare { get; init; } = NeuralFP.Core.Detectors.CombinedDetector.DefaultRuleFingerprintShare;

    /// <summary>
    /// Whether each layer's autoencoder gives a second statistic, the Mahalanobis distance of its latent code from the
    /// training records' codes, which the Gaussian integrations read beside the log errors (with the Fisher and one-out
    /// rules, which read the errors only, the scorer graph does not compute it). Chosen on the panel's validation sets (README, "Detection").
    /// </summary>
    public bool LatentStatistic { get; init; } = true;

    /// <summary>
    /// Whether the latent distance is to the nearest mean of the model's predicted classes (with their shared
    /// within-class covariance) rather than to one overall mean. Chosen on the panel's validation sets (README, "Detection").
    /// </summary>
    public bool LatentPerClass { get; init; }

    /// <summary>
    /// Whether the Gaussian integrations also read two complexity measures of the raw input record (its energy and total
    /// variation, <see cref="Activations.InputComplexity"/>), so that an input that is simply easy to reconstruct (digits
    /// through a clothes model) is judged against its own complexity. Computed by the scorer graph (a few ops on the input);
    /// fingerprints built before this option have no such statistics and score as built. Chosen on the panel's validation
    /// sets (README, "Detection").
    /// </summary>
    public bool InputComplexity { get; init; } = true;

    /// <summary>
    /// g ≥ 2 (default 7): the density integrations also read the input layer's largest regional error, its squared
    /// residuals averaged over each cell of a g×g grid of the record's last two axes and maximised over cells
    /// (<see cref="Activations.InputRegionalError"/>), so that a local anomaly is not diluted in the mean over the whole
    /// record. Applies when the input layer is fingerprinted whole (unpooled) and the record's last two axes are at least g
    /// long; 0 turns it off. Computed by the scorer graph (five ops on the input layer's residuals); fingerprints built
    /// before this option have no such statistic and score as built. Chosen on the panel's validation sets (README, "Detection").
    /// </summary>
    public int InputRegionalGrid { get; init; } = DefaultInputRegionalGrid;

    /// <summary>
    /// Whether the density integrations read each layer's reconstruction error as at least its median over the calibration
    /// records: a record the autoencoder reconstructs better than usual is then as typical as the median one, and only
    /// larger errors count as evidence (the one-out rule's own reading). The latent distances and the input's statistics
    /// keep both directions. Stored as each error's log floor, so fingerprints built without it score as built. Chosen on
    /// the panel's validation sets (README, "Detection", item 19).
    /// </summary>
    public bool FoldErrorsAtMedian { get; init; } = true;

    /// <summary>
    /// Whether <see cref="FoldErrorsAtMedian"/> folds the model input layer's error too. Off by default since 2026-12-03
    /// (README, "Detection", item 23): with each feature's error weighed (<see cref="ErrorWeightFloor"/>), an input that
    /// reconstructs better than usual (a blurred or simplified record) is evidence again, and the panel's validation sets
    /// read higher with the input's error both ways. Fingerprints built before folded it, and say so as loaded.
    /// </summary>
    public bool FoldInputErrorAtMedian { get; init; }

    /// <summary>
    /// b ≥ 2: for a table (records with one axis), the density integrations also read the input's marginal surprise, each
    /// column's −ln probability under a b-bin histogram of its training values summed over the columns
    /// (<see cref="Activations.InputMarginals"/>), so that a value no training record had in that column shows even when the
    /// autoencoder still explains it from the others. Applies when the input layer is fingerprinted; 0 turns it off.
    /// Computed by the scorer graph (nine ops on the input); fingerprints built before this option have no such statistic
    /// and score as built. 800 (bins of 1/80 of a standard deviation) was chosen on the panel's validation sets (README,
    /// "Detection", item 22): at that resolution a count, a flag or a code column is read value by value.
    /// </summary>
    public int InputMarginalBins { get; init; } = DefaultInputMarginalBins;

    public const int DefaultInputMarginalBins = 800;

    /// <summary>Largest <see cref="InputMarginalBins"/> accepted.</summary>
    public const int MaxInputMarginalBins = 1_000;

    public const int DefaultInputRegionalGrid = 7;

    /// <summary>Largest <see cref="InputRegionalGrid"/> accepted.</summary>
    public const int MaxInputRegionalGrid = 64;

    /// <summary>
    /// How many calibration records (default 256; 0 turns it off) the build's self-check shifts by each of a few common
    /// corruptions (images: blur, low contrast, occlusion, additive noise; other records: feature noise), scaled to the
    /// reference's own values, to report per shift how well this fingerprint tells them from in-distribution records on
    /// this model (<see cref="Shifts.SelfCheckSummary"/> in the manifest). Reported, never used to choose anything. Costs
    /// the scorer's time on that many records per shift.
    /// </summary>
    public int SelfCheckRecords { get; init; } = DefaultSelfCheckRecords;

    /// <summary>
    /// The density integrations leave out each statistic (a layer's error, a latent distance, an input measure) that no
    /// "response shift" moves by at least this much: its AUROC alone, read the way the shift moves it, against the
    /// calibration records' own values. The response shifts are of other kinds than any corruption the self-check or the
    /// panel reports: two-record mixtures, and tiles permuted (images) or columns resampled from other records (other
    /// inputs), on the self-check's calibration records (<see cref="SelfCheckRecords"/>; 256 when it is off). The statistic
    /// that moves most and the layer error that moves most always stay; each left-out statistic is listed in
    /// <c>integration.excluded</c> with its response. Should one statistic be left (on the panel's tables, one layer's
    /// error), the build reads its p-value (<see cref="Verdicts.IntegrationKinds.Fisher"/>) instead of a one-dimensional
    /// density, and says so. 0 (the default) keeps every statistic and measures no response. Chosen on the panel's
    /// validation sets (README, "Detection": 0.75 at item 20; item 24's registered confirmation on fresh seeds chose 0, which
    /// ties 0.75's minimum and passes the calibration guard).
    /// </summary>
    public double StatisticResponseBar { get; init; } = DefaultStatisticResponseBar;

    public const double DefaultStatisticResponseBar = 0;

    /// <summary>Benchmarks: the build measures each statistic's response to the response shifts even when nothing reads it.</summary>
    internal bool MeasureResponses { get; init; }

    public const int DefaultSelfCheckRecords = 256;

    /// <summary>Largest <see cref="SelfCheckRecords"/> accepted (bounds the build's extra memory and time).</summary>
    public const int MaxSelfCheckRecords = 4096;

    /// <summary>
    /// 0 (the default): the latent distance is to one mean (or the class means, <see cref="LatentPerClass"/>). N ≥ 2: it is
    /// the whitened distance to the nearest of N training codes (a seeded sample), a 1-NN in the latent space that keeps
    /// every mode of the training distribution. Costs N × latent width multiply-adds per record and layer in the scorer graph
    /// and N × latent width floats per layer in the manifest. Measured on the panel's validation sets (README, "Detection").
    /// </summary>
    public int LatentNeighbours { get; init; }

    /// <summary>Largest <see cref="LatentNeighbours"/> accepted.</summary>
    public const int MaxLatentNeighbours = 20_000;

    /// <summary>
    /// The model input layer's autoencoder when it should differ from the other layers' (<see cref="Autoencoder"/>), e.g. a
    /// narrower bottleneck; null (the default) for the same. Measured on the panel's validation sets (README, "Detection").
    /// </summary>
    public AutoencoderOptions? InputAutoencoder { get; init; }

    /// <summary>
    /// Each feature's squared reconstruction error weighed by the inverse of its mean on the layer's training records,
    /// floored at this share of the layer's mean (no feature weighs more than 1/floor times an average one): features the
    /// autoencoder reconstructs closely, such as a table's linear relations between columns, count for more than ones it
    /// never reconstructs, such as a pure-noise column. 0 reads the plain mean squared error. The weights are folded into
    /// the standardisation and the autoencoder's outer products (<c>ErrorWeighting</c>), so scoring does
    /// the same work either way, and fingerprints built before score as built. 0.3 (no feature above 3.3 times an average
    /// one) was chosen on the panel's validation sets (README, "Detection", item 22).
    /// </summary>
    public double ErrorWeightFloor { get; init; } = DefaultErrorWeightFloor;

    public const double DefaultErrorWeightFloor = 0.3;

    /// <summary>The autoencoder a layer is fitted with: the input's own (<see cref="InputAutoencoder"/>) when set, with the
    /// automatic kind resolved from the layer's training records, so the layer records what was fitted.</summary>
    public AutoencoderOptions AutoencoderFor(bool modelInput, int trainingRecords)
    {
        var chosen = modelInput && InputAutoencoder is { } input ? input : Autoencoder;
        return chosen with { Kind = chosen.KindFor(trainingRecords) };
    }

    /// <summary>
    /// Floor of each feature's standardisation scale, relative to the layer's pooled standard deviation: keeps
    /// near-constant features (e.g. image border pixels) from turning into huge errors. 0.001 (the old value) and 0.1
    /// were within 0.005 AUROC of each other on the panel; 0.001 had the higher validation minimum.
    /// </summary>
    public double ScaleFloor { get; init; } = 0.001;

    /// <summary>
    /// Whether the model input layer's scale floor is relative to the median of its features' standard deviations rather
    /// than the pooled one. A table's raw columns come in units that differ by 10⁴ (breast-cancer: area ~ 10³, fractal
    /// dimension ~ 10⁻²): the pooled spread follows the large-unit columns, and its floor lifted 16 of 30 columns' scales
    /// 1.5–46× above their own spread, so a shift in them barely moved the input layer's error. On image inputs the two
    /// references differ by ~8% (Fashion-MNIST). Hidden layers keep the pooled reference (their features share one unit,
    /// and the pooled spread is robust to many dead units).
    /// </summary>
    public bool InputScaleFloorByMedian { get; init; }

    /// <summary>Seeds the split and every autoencoder (layer i uses Seed + i).</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Share of reference records held out for the error distribution and calibration.</summary>
    public double HeldOutFraction { get; init; } = 0.4;

    /// <summary>Share of the remaining records used for early stopping.</summary>
    public double ValidationFraction { get; init; } = 0.15;

    /// <summary>
    /// The index of the first reference record the model never trained on, or null (the default: every record may be
    /// training data, and the split is random). A model can memorise its training records, and thresholds set on them are
    /// then too tight for new data: a 64-column table's MLP, built from the rows it trained on, flagged 5.2–8.4% of unseen
    /// rows at a 5% target (README, "Held-out architectures"). Append records the model did not train on (a validation
    /// split) to the reference and name where they start: every calibration record (held-out and early-stopping, in the
    /// usual proportion) then comes from them, and the autoencoders train on the records before them. At least
    /// <see cref="MinSeenRecords"/> records must come before and <see cref="MinUnseenRecords"/> from it on.
    /// </summary>
    public int? UnseenFrom { get; init; }

    /// <summary>Fewest records before <see cref="UnseenFrom"/>: the autoencoders train on them.</summary>
    public const int MinSeenRecords = 50;

    /// <summary>Fewest records from <see cref="UnseenFrom"/> on: they set every threshold.</summary>
    public const int MinUnseenRecords = 100;

    /// <summary>
    /// Most reference records the autoencoders train on (a seeded uniform sample of the training split, the same records
    /// for every layer; the early-stopping split is capped in proportion). The build holds the activations of these
    /// records only, so its memory depends on this cap and the model, not on the reference's size; the held-out records
    /// are streamed through the trained autoencoders and only their errors are kept. 10,000 leaves references of up to
    /// ~19,600 records untouched; at 60,000 it kept the FPR on target, cost 0.002-0.003 AUROC on the digits and moved the
    /// rotated set within the seed's own spread, in a third of the build time (README, "Peak memory").
    /// </summary>
    public int MaxTrainingRecords { get; init; } = DefaultMaxTrainingRecords;

    /// <summary>Default of <see cref="MaxTrainingRecords"/>.</summary>
    public const int DefaultMaxTrainingRecords = 10_000;

    /// <summary>Largest <see cref="MaxTrainingRecords"/> accepted.</summary>
    public const int MaxMaxTrainingRecords = 10_000_000;

    /// <summary>Records per ONNX Runtime run while extracting activations.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Fewest reference records accepted: calibration needs enough held-out records for the target FPR.</summary>
    public const int MinReferenceRecords = 100;

    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Layers is { } layers && layers.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("Layers: names must not be empty; omit the option (or use \"auto\") for the automatic choice.", nameof(Layers));
        if (Detectors?.FirstOrDefault(d => !NeuralFP.Core.Detectors.DetectorNames.All.Contains(d)) is { } unknown)
            throw new ArgumentException($"Detectors: '{unknown}' is not a detector; choose from {string.Join(", ", NeuralFP.Core.Detectors.DetectorNames.All)}.", nameof(Detectors));
        if (!Verdicts.IntegrationKinds.All.Contains(Integration))
            throw new ArgumentException($"Integration: '{Integration}' is not known; choose from {string.Join(", ", Verdicts.IntegrationKinds.All)}.", nameof(Integration));
        if (!NeuralFP.Core.Detectors.CombinedDetector.Rules.Contains(CombinedRule))
            throw new ArgumentException($"CombinedRule: '{CombinedRule}' is not known; choose from {string.Join(", ", NeuralFP.Core.Detectors.CombinedDetector.Rules)}.", nameof(CombinedRule));
        ArgumentNullException.ThrowIfNull(CombinedMembers, nameof(CombinedMembers));
        if (CombinedMembers.FirstOrDefault(d => d == NeuralFP.Core.Detectors.DetectorNames.Combined || !NeuralFP.Core.Detectors.DetectorNames.All.Contains(d)) is { } badMember)
            throw new ArgumentException($"CombinedMembers: '{badMember}' is not a detector the combined one can read; choose from {string.Join(", ", NeuralFP.Core.Detectors.DetectorNames.All.Where(d => d != NeuralFP.Core.Detectors.DetectorNames.Combined))}.", nameof(CombinedMembers));
        if (!(CombinedFingerprintShare > 0 && CombinedFingerprintShare < 1))
            throw new ArgumentOutOfRangeException(nameof(CombinedFingerprintShare), CombinedFingerprintShare, "CombinedFingerprintShare must be in (0, 1) (the fingerprint's share of the combined detector's false-positive budget).");
        if (!(ErrorWeightFloor >= 0 && ErrorWeightFloor <= 1))
            throw new ArgumentOutOfRangeException(nameof(ErrorWeightFloor), ErrorWeightFloor, "ErrorWeightFloor must be in [0, 1] (a share of the layer's mean squared error; 0 = unweighted errors).");
        if (!(ScaleFloor >= 0 && ScaleFloor <= 10))
            throw new ArgumentOutOfRangeException(nameof(ScaleFloor), ScaleFloor, "ScaleFloor must be in [0, 10] (relative to the layer's pooled standard deviation).");
        if (ParsePooling(Pooling, nameof(Pooling)).OverTime)
            throw new ArgumentException($"Pooling: '{Pooling}' pools sequences over time; maps take \"none\", \"global\" or \"kxk\" (sequences: sequencePooling).", nameof(Pooling));
        if (ParsePooling(InputPooling, nameof(InputPooling)).OverTime)
            throw new ArgumentException($"InputPooling: '{InputPooling}' pools sequences over time; the input takes \"none\", \"global\" or \"kxk\".", nameof(InputPooling));
        if (!L2Layers.All.Contains(L2Normalise))
            throw new ArgumentException($"L2Normalise: '{L2Normalise}' is not known; choose from {string.Join(", ", L2Layers.All)}.", nameof(L2Normalise));
        if (!ParsePooling(SequencePooling, nameof(SequencePooling)).OverTime)
            throw new ArgumentException($"SequencePooling: '{SequencePooling}' does not pool over time; use \"time\" or \"timeS\" with S ≥ 1 segments (e.g. \"time4\").", nameof(SequencePooling));
        ArgumentNullException.ThrowIfNull(Autoencoder, nameof(Autoencoder));
        Autoencoder.Validate();
        InputAutoencoder?.Validate();
        if (LatentNeighbours != 0 && LatentNeighbours is < 2 or > MaxLatentNeighbours)
            throw new ArgumentOutOfRangeException(nameof(LatentNeighbours), LatentNeighbours, $"LatentNeighbours must be 0 (one mean or the class means) or in [2, {MaxLatentNeighbours:N0}] reference codes.");
        if (InputMarginalBins != 0 && InputMarginalBins is < 2 or > MaxInputMarginalBins)
            throw new ArgumentOutOfRangeException(nameof(InputMarginalBins), InputMarginalBins, $"InputMarginalBins must be 0 (off) or in [2, {MaxInputMarginalBins}] (histogram bins per table column).");
        if (InputRegionalGrid != 0 && InputRegionalGrid is < 2 or > MaxInputRegionalGrid)
            throw new ArgumentOutOfRangeException(nameof(InputRegionalGrid), InputRegionalGrid, $"InputRegionalGrid must be 0 (off) or in [2, {MaxInputRegionalGrid}] cells per side (1 would be the input layer's own error).");
        if (SelfCheckRecords is < 0 or > MaxSelfCheckRecords)
            throw new ArgumentOutOfRangeException(nameof(SelfCheckRecords), SelfCheckRecords, $"SelfCheckRecords must be in [0, {MaxSelfCheckRecords:N0}] (0: no self-check).");
        if (!(StatisticResponseBar >= 0 && StatisticResponseBar < 1))
            throw new ArgumentOutOfRangeException(nameof(StatisticResponseBar), StatisticResponseBar, $"StatisticResponseBar must be in [0, 1): an AUROC a response shift must reach for a statistic to stay (default {DefaultStatisticResponseBar}; 0 keeps every statistic).");
        if (LatentNeighbours != 0 && LatentPerClass)
            throw new ArgumentException("LatentNeighbours and LatentPerClass choose different latent distances; set one of them.", nameof(LatentNeighbours));
        if (!(TargetFpr > 0 && TargetFpr < 0.5))
            throw new ArgumentOutOfRangeException(nameof(TargetFpr), TargetFpr, "TargetFpr must be in (0, 0.5); the usual choice is 0.05.");
        if (!(HeldOutFraction >= 0.1 && HeldOutFraction <= 0.8))
            throw new ArgumentOutOfRangeException(nameof(HeldOutFraction), HeldOutFraction, "HeldOutFraction must be in [0.1, 0.8].");
        if (!(ValidationFraction >= 0.05 && ValidationFraction <= 0.5))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must be in [0.05, 0.5].");
        if (UnseenFrom is < MinSeenRecords)
            throw new ArgumentOutOfRangeException(nameof(UnseenFrom), UnseenFrom,
                $"UnseenFrom must be at least {MinSeenRecords} (the records before it train the autoencoders), or unset when every reference record may be training data.");
        if (MaxTrainingRecords is < MinReferenceRecords or > MaxMaxTrainingRecords)
            throw new ArgumentOutOfRangeException(nameof(MaxTrainingRecords), MaxTrainingRecords,
                $"MaxTrainingRecords must be in [{MinReferenceRecords}, {MaxMaxTrainingRecords:N0}]; the default {DefaultMaxTrainingRecords:N0} suits most models (more records cost memory and build time, rarely AUROC).");
        if (BatchSize is < 1 or > 65536)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be in [1, 65536].");
    }

    internal static PoolingSpec ParsePooling(string text, string option)
    {
        try
        {
            var pooling = PoolingSpec.Parse(text);
            // One switch for the normalisation, chosen by layer role; the suffix is how layers record it.
            if (pooling.L2Normalised)
                throw new ArgumentException($"{option}: '{text}' asks for L2 normalisation, which the option l2Normalise sets (none, penultimate, hidden).", option);
            return pooling;
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"{option}: {e.Message}", option, e);
        }
    }

    /// <summary>Reads options from the JSON of a <c>fingerprint.json</c> upload (camelCase, unknown members rejected).</summary>
    /// <exception cref="ArgumentException">Malformed JSON or an invalid option; the message says which.</exception>
    public static FingerprintOptions FromJson(string json)
    {
        FingerprintOptions? options;
        try
        {
            options = JsonSerializer.Deserialize<FingerprintOptions>(json, FingerprintJson.Options);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"fingerprint.json is not valid: {e.Message}", nameof(json), e);
        }
        if (options is null) throw new ArgumentException("fingerprint.json is empty (null); upload an object such as {\"targetFpr\":0.05}.", nameof(json));
        if (options.Layers is [var only] && only.Equals("auto", StringComparison.OrdinalIgnoreCase)) options = options with { Layers = null };
        options.Validate();
        return options;
    }
}

/// <summary>Values of <see cref="FingerprintOptions.L2Normalise"/>.</summary>
public static class L2Layers
{
    public const string None = "none";
    public const string Penultimate = "penultimate";
    public const string Hidden = "hidden";

    public static IReadOnlyList<string> All { get; } = [None, Penultimate, Hidden];
}
